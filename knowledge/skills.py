"""Skills: what a successful search learned, written back for later searches.

A skill is a markdown document (tier "skill") in the user's data directory. Its
front matter holds the facts a generator can act on (op class, dtype, device,
shape regime, the winner's configuration and decisions, the measured gain) and
where they came from; its body says the same for a person or a prompt.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kernelwright.harness.version import kernelwright_version

from . import index as knowledge_index
from .document import SKILL, Document, document_from_fields, load_document
from .frontmatter import KnowledgeError, render_fields
from .shape_regime import (
    Closeness,
    RegimeFacts,
    Shape,
    closeness,
    normalise_shape,
    regime_key,
    regime_label,
    similarity,
)
from .vocabulary import device_tag, device_tags, normalise_bottleneck

# A skill records an improvement, so the winner must beat eager PyTorch.
MIN_SPEEDUP_VS_EAGER = 1.0
# Ranking: shape regime decides, dtype and device break near-ties.
DTYPE_BONUS = 0.25
DEVICE_BONUS = 0.25


@dataclass(frozen=True)
class Skill:
    id: str
    op_class: str
    dtype: str
    device: str  # device tag, e.g. "h100"
    device_name: str  # as the device reported it
    shape: dict[str, int] | list[int]
    regime: str  # "rows≈4k, cols≈4k"
    config: dict[str, Any] | None  # the winner's configuration (embedded generator)
    decisions: tuple[str, ...]
    change: str  # what changed from the baseline
    baseline: str
    speedup_vs_eager: float
    speedup_vs_compile: float | None
    bottleneck: str | None
    provenance: dict[str, Any]  # problem_hash, search_id, kernelwright_version, created, updated
    path: Path | None = None
    # The next-best verified configs of the same search, best first, each
    # {"config": ..., "speedup_vs_eager": ...}: a related shape's optimum is often
    # one of them rather than the winner (an H200 layer-norm pair: B's best was
    # A's runner-up).
    runners_up: tuple[dict[str, Any], ...] = ()
    # Where the shape sat against the device when the skill was learnt
    # (shape_regime.RegimeFacts.to_dict()); None in skills written before.
    facts: dict[str, int] | None = None
    # Regimes (shape_regime.regime_key) where this skill's config lost to the
    # family's default, each with its evidence: it is not offered there again.
    not_applying: tuple[dict[str, Any], ...] = ()
    # How close it is to the problem that looked it up (find_skills); not stored.
    match: Closeness | None = None

    def applies_to(self, key: str) -> bool:
        return all(entry.get("regime") != key for entry in self.not_applying)

    def to_context(self) -> dict[str, Any]:
        """The dict ProposalContext.skills carries (decisions and configs for warm starts)."""
        return {
            "id": self.id,
            "op_class": self.op_class,
            "dtype": self.dtype,
            "device": self.device,
            "shape": self.shape,
            "regime": self.regime,
            "config": self.config,
            "runners_up": [dict(r) for r in self.runners_up],
            "decisions": list(self.decisions),
            "change": self.change,
            "speedup_vs_eager": self.speedup_vs_eager,
            "speedup_vs_compile": self.speedup_vs_compile,
            "path": str(self.path) if self.path else None,
            "match": (
                {
                    "score": round(self.match.score, 4),
                    "same_regime": self.match.same_regime,
                    "why": self.match.why,
                }
                if self.match
                else None
            ),
        }


def write_skill(
    best: Mapping[str, Any],
    *,
    op_class: str,
    dtype: str,
    device: str,
    shape: Shape,
    problem_hash: str,
    search_id: str,
    baseline: str = "eager PyTorch",
    directory: Path | None = None,
    now: datetime | None = None,
    runners_up: Sequence[Mapping[str, Any]] = (),
    version: str | None = None,
    facts: RegimeFacts | None = None,
) -> Skill:
    """Distil the verified best node of a search into a skill file; return the skill.

    `best` is the search's best node dict: outcome, speedup ({vs_eager, vs_compile}
    or speedup_vs_eager), config, move (what changed), optional decisions, profile.
    Raises KnowledgeError unless it is a measured improvement over eager. The same
    winner for the same problem always maps to the same file, which is updated.
    `version` is the kernelwright that measured it (default: the installed one's).
    """
    vs_eager, vs_compile = _speedups(best)
    if (
        str(best.get("outcome", "")).lower() != "ok"
        or vs_eager is None
        or vs_eager <= MIN_SPEEDUP_VS_EAGER
    ):
        raise KnowledgeError(
            "not a verified improvement: a skill needs outcome 'ok' and a measured speedup "
            f"over eager above {MIN_SPEEDUP_VS_EAGER} (got outcome {best.get('outcome')!r}, "
            f"vs_eager {vs_eager!r})"
        )
    directory = Path(directory) if directory is not None else knowledge_index.skills_dir()
    config = dict(best["config"]) if best.get("config") else None
    tag = device_tag(device)
    skill_id = _skill_id(op_class, dtype, tag, problem_hash, config, str(best.get("source") or ""))
    path = directory / f"{skill_id}.md"
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    existing = _existing(path)
    created = (existing.provenance.get("created") if existing else None) or stamp
    profile = best.get("profile") or {}
    skill = Skill(
        id=skill_id,
        op_class=op_class,
        dtype=dtype,
        device=tag,
        device_name=device,
        shape=normalise_shape(shape),
        regime=regime_label(shape),
        config=config,
        decisions=tuple(str(d) for d in best.get("decisions") or ()),
        change=str(best.get("move") or "").strip(),
        baseline=baseline,
        speedup_vs_eager=float(vs_eager),
        speedup_vs_compile=float(vs_compile) if vs_compile is not None else None,
        bottleneck=normalise_bottleneck(profile.get("bottleneck")),
        provenance={
            "problem_hash": problem_hash,
            "search_id": search_id,
            "kernelwright_version": version or _version(),
            "created": created,
            "updated": stamp,
        },
        path=path,
        runners_up=tuple(_runner_up(r) for r in runners_up if r.get("config")),
        facts=facts.to_dict() if facts else (existing.facts if existing else None),
        # a winner measured again keeps what other regimes taught about it
        not_applying=existing.not_applying if existing else (),
    )
    _save(skill)
    return skill


def mark_not_applying(
    path: Path, key: str, evidence: Mapping[str, Any], *, now: datetime | None = None
) -> Skill | None:
    """Record that the skill at `path` lost to the family's default in regime
    `key` (shape_regime.regime_key), with the evidence; find_skills leaves it out
    there from now on. Returns the updated skill, None when the file is gone or
    unreadable. A regime already recorded is left as it was."""
    current = _existing(Path(path))
    if current is None:
        return None
    if not current.applies_to(key):
        return current
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    entry = {"regime": key, **{k: v for k, v in evidence.items() if k != "regime"}}
    entry["recorded"] = stamp
    updated = replace(current, not_applying=(*current.not_applying, entry))
    _save(updated)
    return updated


def _save(skill: Skill) -> None:
    assert skill.path is not None
    path = skill.path
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".md.tmp")
    temporary.write_text(render_skill(skill), encoding="utf-8")
    temporary.replace(path)  # readers never see half a file


def find_skills(
    op_class: str,
    dtype: str | None,
    device: str | None,
    shape: Shape,
    *,
    directory: Path | None = None,
    limit: int = 5,
    facts: RegimeFacts | None = None,
) -> list[Skill]:
    """Skills for this op class, best match first: closest regime, then same
    dtype, then same device family. Unreadable files are skipped (the index
    reports them), and so is a skill marked as not applying to this regime
    (shape bucket, dtype, device: mark_not_applying).

    With `facts`, a skill that recorded its own is ranked by `closeness` (which
    side of each device threshold both shapes sit on) and carries it in
    `match`; otherwise by the shapes' log2 similarity."""
    directory = Path(directory) if directory is not None else knowledge_index.skills_dir()
    if not directory.is_dir():
        return []
    wanted_tags = device_tags(device) if device else frozenset()
    key = regime_key(shape, dtype or "", device_tag(device)) if device else None
    scored = []
    for path in sorted(directory.glob("*.md")):
        try:
            skill = skill_from_document(load_document(path, origin="skill"))
        except KnowledgeError:
            continue
        if skill.op_class != op_class or (key is not None and not skill.applies_to(key)):
            continue
        theirs = RegimeFacts.from_dict(skill.facts) if skill.facts else None
        if facts is not None and theirs is not None:
            match = closeness(facts, theirs)
            skill = replace(skill, match=match)
            score = match.score
        else:
            score = similarity(shape, skill.shape)
        score += DTYPE_BONUS if dtype and skill.dtype == dtype else 0.0
        score += DEVICE_BONUS if skill.device in wanted_tags else 0.0
        scored.append((score, skill.speedup_vs_eager, skill))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2].id))
    return [skill for _, _, skill in scored[:limit]]


def render_skill(skill: Skill) -> str:
    return render_fields(_front_matter(skill)) + "\n" + _body(skill)


def skill_from_document(doc: Document) -> Skill:
    if doc.tier != SKILL:
        raise KnowledgeError(f"{doc.path}: not a skill (tier {doc.tier!r})")
    meta = doc.meta
    try:
        return Skill(
            id=doc.id,
            op_class=doc.ops[0],
            dtype=doc.dtypes[0],
            device=str(meta.get("device", doc.devices[0] if doc.devices else "")),
            device_name=str(meta.get("device_name", "")),
            shape=meta["shape"],
            regime=str(meta.get("regime", "")),
            config=meta.get("config"),
            decisions=tuple(meta.get("decisions") or ()),
            change=str(meta.get("change", "")),
            baseline=str(meta.get("baseline", "")),
            speedup_vs_eager=float(meta["speedup_vs_eager"]),
            speedup_vs_compile=_optional_float(meta.get("speedup_vs_compile")),
            bottleneck=next(iter(doc.signals), None),
            provenance=dict(meta.get("provenance") or {}),
            path=doc.path,
            runners_up=tuple(
                _runner_up(r)
                for r in meta.get("runners_up") or ()
                if isinstance(r, dict) and isinstance(r.get("config"), dict)
            ),
            facts=_facts(meta.get("regime_facts")),
            not_applying=tuple(
                dict(e) for e in meta.get("not_applying") or () if isinstance(e, dict)
            ),
        )
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        raise KnowledgeError(f"{doc.path}: incomplete skill ({exc!r})") from None


def _front_matter(skill: Skill) -> dict[str, Any]:
    family = [t for t in sorted(device_tags(skill.device_name)) if t in _ARCH_TAGS]
    fields: dict[str, Any] = {
        "id": skill.id,
        "title": _title(skill),
        "tier": SKILL,
        "ops": [skill.op_class],
        "dtypes": [skill.dtype],
        "devices": [skill.device, *family],
        "signals": [skill.bottleneck] if skill.bottleneck else [],
        "device": skill.device,
        "device_name": skill.device_name,
        "shape": skill.shape,
        "regime": skill.regime,
        "config": skill.config,
        "decisions": list(skill.decisions),
        "change": skill.change,
        "baseline": skill.baseline,
        "speedup_vs_eager": round(skill.speedup_vs_eager, 4),
        "speedup_vs_compile": (
            round(skill.speedup_vs_compile, 4) if skill.speedup_vs_compile is not None else None
        ),
        "provenance": skill.provenance,
    }
    if skill.runners_up:
        fields["runners_up"] = [dict(r) for r in skill.runners_up]
    if skill.facts:
        fields["regime_facts"] = dict(skill.facts)
    if skill.not_applying:
        fields["not_applying"] = [dict(e) for e in skill.not_applying]
    # Round-trip check: what we write must be what `kb` and find_skills can read.
    document_from_fields(dict(fields), _body(skill), origin="skill", path=None)
    return fields


# Architecture tags a skill also answers to, so an H100 skill can seed an H200 search.
_ARCH_TAGS = {"hopper", "ampere", "cdna3"}


def _title(skill: Skill) -> str:
    return (
        f"Skill: {skill.op_class} {skill.dtype} on {skill.device} ({skill.regime}), "
        f"{skill.speedup_vs_eager:.2f}x vs eager"
    )


def _body(skill: Skill) -> str:
    gain = f"{skill.speedup_vs_eager:.2f}× vs {skill.baseline}"
    if skill.speedup_vs_compile is not None:
        gain += f", {skill.speedup_vs_compile:.2f}× vs torch.compile"
    lines = [
        (
            f"A verified {skill.op_class} kernel for {skill.dtype} on {skill.device_name or skill.device}, "
            f"shape regime {skill.regime}."
        ),
        "",
        f"**Measured gain:** {gain}.",
    ]
    if skill.bottleneck:
        lines.append(f"**Reference bottleneck:** {skill.bottleneck}.")
    lines += ["", f"**What changed from the baseline:** {skill.change or 'not recorded'}"]
    if skill.decisions:
        lines += ["", "**Decisions:**", *(f"- {d}" for d in skill.decisions)]
    if skill.config:
        config = json.dumps(skill.config, indent=2, sort_keys=True)
        lines += ["", "**Configuration of the winner:**", "", "```json", config, "```"]
    if skill.runners_up:
        lines += ["", "**Runners-up (verified, same search):**"]
        lines += [
            f"- {json.dumps(r['config'], sort_keys=True)}: "
            + (
                f"{r['speedup_vs_eager']:.2f}× vs {skill.baseline}"
                if r.get("speedup_vs_eager") is not None
                else "speed not measured"
            )
            for r in skill.runners_up
        ]
    if skill.not_applying:
        lines += ["", "**Does not apply to** (its config lost to the default there):"]
        lines += [
            f"- {e['regime']}: " + str(e.get("why") or "measured slower than the default")
            for e in skill.not_applying
        ]
    p = skill.provenance
    lines += [
        "",
        (
            f"Provenance: problem {p.get('problem_hash')}, search {p.get('search_id')}, "
            f"kernelwright {p.get('kernelwright_version')}, first written {p.get('created')}, "
            f"updated {p.get('updated')}."
        ),
    ]
    return "\n".join(lines) + "\n"


def _speedups(best: Mapping[str, Any]) -> tuple[float | None, float | None]:
    speedup = best.get("speedup")
    if isinstance(speedup, Mapping):
        return _optional_float(speedup.get("vs_eager")), _optional_float(speedup.get("vs_compile"))
    return _optional_float(best.get("speedup_vs_eager")), _optional_float(
        best.get("speedup_vs_compile")
    )


def _runner_up(entry: Mapping[str, Any]) -> dict[str, Any]:
    speed = _optional_float(entry.get("speedup_vs_eager"))
    return {
        "config": dict(entry["config"]),
        "speedup_vs_eager": round(speed, 4) if speed is not None else None,
    }


def _optional_float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _skill_id(
    op_class: str, dtype: str, tag: str, problem_hash: str, config: Any, source: str
) -> str:
    # The winner is identified by its configuration when it has one (the embedded
    # generator's), else by its source text.
    winner = json.dumps(config, sort_keys=True) if config else source
    digest = hashlib.sha256(
        f"{problem_hash}\x00{op_class}\x00{dtype}\x00{tag}\x00{winner}".encode()
    ).hexdigest()
    slug = "-".join(part.lower().replace("_", "-") for part in (op_class, dtype, tag))
    return f"skill-{slug}-{digest[:10]}"


def _existing(path: Path) -> Skill | None:
    if not path.is_file():
        return None
    try:
        return skill_from_document(load_document(path, origin="skill"))
    except KnowledgeError:
        return None  # a damaged file is replaced by the new one


def _facts(value: Any) -> dict[str, int] | None:
    facts = RegimeFacts.from_dict(value) if isinstance(value, dict) else None
    return facts.to_dict() if facts else None


def _version() -> str:
    return kernelwright_version()
