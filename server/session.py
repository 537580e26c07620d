"""The server's state, shared by its features: documents, settings, the results
index, recorded shapes, and the targets whose shapes the user still owes us."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import detect, problem
from .config import Settings
from .documents import DocumentStore, ParsedDocument
from .results import Record, ResultsIndex
from .shapes import TensorSpec

log = logging.getLogger(__name__)


@dataclass
class ShapeRequest:
    """The user asked to optimise a target whose input shapes are unknown."""

    signature: str
    start: int
    end: int
    missing: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Session:
    def __init__(self, settings: Settings | None = None):
        self.docs = DocumentStore()
        self.settings = settings or Settings()
        self._index: ResultsIndex | None = None
        self.shape_requests: dict[str, dict[str, ShapeRequest]] = {}
        self.settings_messages: list[str] = []
        # signature -> progress line of the job running on it (hover shows best-so-far)
        self.running: dict[str, str] = {}

    @property
    def index(self) -> ResultsIndex:
        if self._index is None:
            self._index = ResultsIndex(
                self.settings.store_dir() / "lsp-results.sqlite", self.settings.store_path
            )
        return self._index

    def set_settings(self, settings: Settings) -> None:
        moved = (
            settings.store_dir() != self.settings.store_dir()
            or settings.store_path != self.settings.store_path
        )
        if moved and self._index is not None:
            self._index.close()
            self._index = None
        self.settings = settings

    # -- targets ------------------------------------------------------------
    def recorded_path(self, signature: str) -> Path:
        return self.settings.store_dir() / "recorded" / f"{signature}.json"

    def recorded(self, signature: str) -> dict[str, TensorSpec]:
        path = self.recorded_path(signature)
        if not path.exists():
            return {}
        try:
            data = json.loads(path.read_text()).get("locals", {})
            return {
                n: TensorSpec(d["dtype"], tuple(str(s) for s in d["shape"]), "recorded")
                for n, d in data.items()
            }
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("unreadable recorded shapes %s", path)
            return {}

    def problem_for(self, doc: ParsedDocument, target: detect.Target) -> problem.Problem:
        """The target's problem, built once per document version and recorded shapes.

        Building a long `forward`'s problem reads the whole file (its constants,
        helpers, imports): hovers and code actions anywhere in it asked for the same
        one on every request. Each caller gets its own copy to add errors to.
        """
        sig = problem.signature(doc, target)
        recorded = self.recorded(sig)
        key = (target, tuple(sorted(recorded.items())))
        built = doc.cache.setdefault("problems", {})
        if key not in built:
            built[key] = problem.build(doc, target, recorded)
        prob = built[key]
        return dataclasses.replace(
            prob,
            missing=list(prob.missing),
            errors=list(prob.errors),
            shape_sources=dict(prob.shape_sources),
        )

    def locate(self, doc: ParsedDocument, start: int, end: int) -> problem.Problem | None:
        target = detect.target_at(doc, start, end)
        return self.problem_for(doc, target) if target is not None else None

    def all_targets(self, doc: ParsedDocument) -> list[detect.Target]:
        kernels = [detect._kernel_target(k) for k in detect.find_kernels(doc)]
        return kernels + detect.find_forwards(doc) + detect.find_ops(doc)

    def records_by_target(
        self, doc: ParsedDocument, wanted: Callable[[Record], bool] | None = None
    ) -> list[tuple[detect.Target, Record]]:
        """Targets of the document that have a stored record (that `wanted` accepts).

        Scanning every op of a large file is the costly part, so it only happens
        when some record of this document is worth showing.
        """
        records = {s: r for s, r in self.index.for_uri(doc.uri).items() if not wanted or wanted(r)}
        if not records:
            return []
        spans = {" ".join(r.span_text.split()) for r in records.values()}
        out = []
        for target in self.all_targets(doc):
            code = doc.source[target.start_byte : target.end_byte].decode()
            if target.kind == "op" and " ".join(code.split()) not in spans:
                continue  # cheap filter before hashing
            rec = records.get(problem.signature(doc, target))
            if rec is not None:
                out.append((target, rec))
        # Searches of selected expressions: find them by their text in the document.
        found = {r.signature for _, r in out}
        for rec in records.values():
            if rec.signature not in found and rec.problem_digest and rec.span_text:
                at = doc.text.find(rec.span_text)
                if at >= 0:
                    start = len(doc.text[:at].encode())
                    span = detect.target_at(doc, start, start + len(rec.span_text.encode()))
                    if span is not None and problem.signature(doc, span) == rec.signature:
                        out.append((span, rec))
        return out

    def records_around(self, doc: ParsedDocument, at: int) -> list[tuple[detect.Target, Record]]:
        """Targets with a record whose code spans byte `at` (no whole-file scan)."""
        out = []
        for rec in self.index.for_uri(doc.uri).values():
            span = rec.span_text.encode()
            if not span:
                continue
            i = doc.source.find(span, max(0, at - len(span)), at + len(span))
            while i != -1 and i <= at:
                target = detect.target_at(doc, i, i + len(span))
                if target is not None and problem.signature(doc, target) == rec.signature:
                    out.append((target, rec))
                    break
                i = doc.source.find(span, i + 1, at + len(span))
        return out

    def record_for(self, doc: ParsedDocument, target: detect.Target) -> Record | None:
        return self.index.get(problem.signature(doc, target))
