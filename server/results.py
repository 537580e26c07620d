"""What the editor shows about a target, kept on disk so it survives restarts.

One row per target signature (see `problem.signature`): the reference's measured
profile, the status of its last search, and its ranked candidates *by id*. A
candidate's source and measured results have one home, the harness's results store
(`harness/store.py`, table `nodes`), where the search stores every node as it runs;
this index keeps each candidate's rank and id and reads the rest from there when it
hands out a record. A candidate whose node the store no longer holds is not offered.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kernelwright.harness.messages import FASTER_BY, NO_KERNEL_FLAG
from kernelwright.harness.store import Store

from .search_messages import MessageError, ReportedNode, candidate_id, split_candidate_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CandidateRef:
    """What the index keeps of a candidate: its place in the ranking and its id."""

    rank: int
    id: str  # `<search_id>/<node_id>` in the results store
    job_id: str | None = None
    # The digest of the problem module (shapes included) the search verified it on:
    # a generated kernel is built for those shapes, so it is offered only while the
    # target's problem is still that one (actions.applicable).
    problem_digest: str | None = None


@dataclass
class Candidate:
    """A ranked candidate as the editor shows it: its ref and what the store measured."""

    rank: int
    id: str
    source: str
    outcome: str
    device: str
    speedup: dict[str, Any] | None  # {vs_eager, vs_compile} or None (no timing on CPU)
    profile: dict[str, Any] | None
    timing: dict[str, Any] | None = None
    job_id: str | None = None
    problem_digest: str | None = None
    shapes: list[dict[str, Any]] | None = None  # harness/derived_shapes.py, per shape
    flags: list[str] | None = None  # the harness's verdict flags

    def ref(self) -> CandidateRef:
        return CandidateRef(self.rank, self.id, self.job_id, self.problem_digest)


class CandidateStore:
    """Reads candidates from the results store by id (opened on first use)."""

    def __init__(self, store_path: str | None):
        self.store_path = store_path
        self._store: Store | None = None

    def read(self, ref: CandidateRef, device: str | None) -> Candidate | None:
        try:
            search_id, node_id = split_candidate_id(ref.id)
        except MessageError:
            return None  # a record from before candidates had store ids
        if self._store is None:
            self._store = Store(self.store_path)
            if self._store.notice:
                log.warning("%s", self._store.notice)
        node = self._store.node(search_id, node_id)
        if not node or not node.get("source"):
            return None
        result = node.get("result") or {}
        return Candidate(
            rank=ref.rank,
            id=ref.id,
            source=node["source"],
            outcome=str(result.get("outcome")),
            device=result.get("device") or device or "cpu",
            speedup=result.get("speedup"),
            profile=result.get("profile"),
            timing=result.get("timing"),
            job_id=ref.job_id,
            problem_digest=ref.problem_digest,
            shapes=(result.get("correctness") or {}).get("shapes"),
            flags=result.get("flags"),
        )

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


@dataclass
class Record:
    signature: str
    uri: str
    name: str
    problem_path: str | None = None
    problem_digest: str | None = None
    device: str | None = None
    reference: dict[str, Any] | None = None  # profile_problem() result or the search baseline
    candidates: list[Candidate] = field(default_factory=list)  # read from the store
    span_text: str = ""  # the target's code, to find a selected expression again
    status: str | None = None  # last search: done | cancelled | failed
    message: str = ""
    updated: float = 0.0

    def to_json(self) -> str:
        data = asdict(self)
        data["candidates"] = [asdict(c.ref()) for c in self.candidates]
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str, candidates: CandidateStore) -> Record:
        data = json.loads(text)
        refs = [
            CandidateRef(**{k: c.get(k) for k in CandidateRef.__dataclass_fields__})
            for c in data.get("candidates") or []
        ]
        known = set(cls.__dataclass_fields__)
        record = cls(**{k: v for k, v in data.items() if k in known and k != "candidates"})
        found = (candidates.read(ref, record.device) for ref in refs)
        record.candidates = [c for c in found if c is not None]
        return record


class ResultsIndex:
    def __init__(self, path: Path, store_path: str | None = None):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._candidates = CandidateStore(store_path)
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS records (signature TEXT PRIMARY KEY, uri TEXT, data TEXT)"
        )
        self._db.commit()

    def put(self, record: Record) -> None:
        record.updated = time.time()
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO records VALUES (?, ?, ?)",
                (record.signature, record.uri, record.to_json()),
            )
            self._db.commit()

    def get(self, signature: str) -> Record | None:
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM records WHERE signature = ?", (signature,)
            ).fetchone()
            return Record.from_json(row[0], self._candidates) if row else None

    def for_uri(self, uri: str) -> dict[str, Record]:
        with self._lock:
            rows = self._db.execute("SELECT data FROM records WHERE uri = ?", (uri,)).fetchall()
            records = [Record.from_json(r[0], self._candidates) for r in rows]
        return {r.signature: r for r in records}

    def close(self) -> None:
        with self._lock:
            self._db.close()
            self._candidates.close()


# -- what the numbers say, in words -------------------------------------------------


def _pct(value: Any) -> str | None:
    return f"{value:.0f}%" if isinstance(value, (int, float)) else None


def peak_phrase(profile: dict[str, Any] | None) -> str | None:
    """`86% of peak DRAM BW` or `41% of peak FLOP/s`, whichever bounds the kernel."""
    if not profile:
        return None
    bw, fl = profile.get("pct_peak_bw"), profile.get("pct_peak_flops")
    if isinstance(bw, (int, float)) and (not isinstance(fl, (int, float)) or bw >= fl):
        return f"{_pct(bw)} of peak DRAM BW"
    if isinstance(fl, (int, float)):
        return f"{_pct(fl)} of peak FLOP/s"
    return None


def speedup_phrase(speedup: dict[str, Any] | None) -> str | None:
    value = (speedup or {}).get("vs_eager")
    return f"{value:.1f}× vs eager" if isinstance(value, (int, float)) else None


RETIRED_REASON = (
    "its kernel was generated and verified for the shapes the target had when it was "
    "searched; they changed (annotation, get_inputs or recorded run). Run Optimize again."
)


def applicable(cand: Candidate, prob: Any) -> bool:
    """A candidate fits the target while the target's problem (its shapes) is the one
    its search verified it on. Candidates stored before the digest was kept have none."""
    return cand.problem_digest is None or cand.problem_digest == prob.digest


def helps(cand: Candidate) -> bool:
    """Offer a candidate that is measurably faster, or one nothing timed (CPU: the
    title says "no timing"); never one measured no faster than the current code."""
    value = (cand.speedup or {}).get("vs_eager")
    return not isinstance(value, (int, float)) or value >= FASTER_BY


def offered_candidates(rec: Record | None, prob: Any) -> tuple[list[Candidate], list[Candidate]]:
    """(fitting, offered): the record's candidates built for the target's current
    problem, and those of them the editor offers (`helps`), best first."""
    fitting = [c for c in rec.candidates if applicable(c, prob)] if rec else []
    return fitting, [c for c in fitting if helps(c)]


def candidate_title(prefix: str, cand: Candidate) -> str:
    parts = []
    speed = speedup_phrase(cand.speedup)
    if speed:
        parts.append(speed)
    elif cand.device == "cpu":
        parts.append("verified on CPU (no timing)")
    else:
        parts.append("verified (no timing)")
    profile = cand.profile or {}
    if profile.get("bottleneck"):
        parts.append(str(profile["bottleneck"]))
    peak = peak_phrase(profile)
    if peak:
        parts.append(peak)
    coverage = coverage_phrase(cand.shapes)
    if coverage:
        parts.append(coverage)
    if NO_KERNEL_FLAG in (cand.flags or ()):
        # verified and maybe faster, but no Triton launch (PyTorch ops, or an extension
        # built some other way): the user is told, not left to read the source
        parts.append("no Triton kernel")
    return f"{prefix} #{cand.rank} — " + " · ".join(parts)


def coverage_phrase(shapes: list[dict[str, Any]] | None) -> str | None:
    """Which shapes the kernel serves: the harness verified it at the problem's shape and
    at derived shapes (harness/derived_shapes.py: leading dims, then an odd last dim);
    where its `kw_accepts` declined one, applied code runs the original PyTorch there.
    Entries stored before the last-dim shape existed name no `derived`: leading dims."""
    leading: set[str] = set()
    inner: set[str] = set()
    for entry in shapes or []:
        changed = str(entry.get("derived") or "")
        (inner if "last dim" in changed else leading).add(str(entry.get("status")))
    if "original" in leading:
        return "this shape only (others run the original)"
    if "verified" not in leading:
        return None
    return "any batch size or last dim" if "verified" in inner else "any batch size"


def rank_candidates(
    nodes: Sequence[ReportedNode],
    best: ReportedNode | None,
    device: str,
    job_id: str | None,
    search_id: str,
    limit: int = 5,
    problem_digest: str | None = None,
) -> list[Candidate]:
    """Correct candidates, fastest first; with no timing, the search's best first."""
    ok = [n for n in nodes if n.outcome == "ok" and n.source]
    if (
        best is not None
        and best.outcome == "ok"
        and best.source
        and all(n.id != best.id for n in ok)
    ):
        ok.insert(0, best)

    def key(n: ReportedNode) -> tuple:
        s = (n.speedup or {}).get("vs_eager")
        is_best = best is not None and n.id == best.id
        return (0 if isinstance(s, (int, float)) else 1, -(s or 0), 0 if is_best else 1)

    ok.sort(key=key)
    return [
        Candidate(
            rank=i + 1,
            id=candidate_id(search_id, n.id),
            source=n.source or "",
            outcome=n.outcome or "ok",
            device=n.device or device,
            speedup=n.speedup,
            profile=n.profile,
            timing=n.timing,
            job_id=job_id,
            problem_digest=problem_digest,
            shapes=n.shapes,
            flags=n.flags,
        )
        for i, n in enumerate(ok[:limit])
    ]
