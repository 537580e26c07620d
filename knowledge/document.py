"""A knowledge document: validated front matter plus a markdown body."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .frontmatter import KnowledgeError, parse_front_matter
from .vocabulary import known_signals

# Tiers, in the order a prompt presents them.
CORRECTNESS, GUIDANCE, HARDWARE, SKILL = "correctness", "guidance", "hardware", "skill"
TIERS = (CORRECTNESS, GUIDANCE, HARDWARE, SKILL)

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_LIST_KEYS = ("signals", "ops", "devices", "dtypes", "sources")
_KNOWN_KEYS = {"id", "title", "tier", *_LIST_KEYS}
# The usual rule of thumb for English and code with BPE tokenisers.
CHARS_PER_TOKEN = 4


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    tier: str
    body: str
    signals: tuple[str, ...] = ()  # bottleneck and error classes it answers
    ops: tuple[str, ...] = ()  # op classes it is about
    devices: tuple[str, ...] = ()  # device tags (h100, hopper, mi300x, a private part's name)
    dtypes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    origin: str = "shipped"  # shipped | user | extra | workspace | skill
    path: Path | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def prompt_text(self) -> str:
        """The text a prompt carries: title, body and, for claims, their sources."""
        text = f"## {self.title}\n\n{self.body}\n"
        if self.sources:
            text += "\nSources: " + "; ".join(self.sources) + "\n"
        return text

    @property
    def tokens(self) -> int:
        return estimate_tokens(self.prompt_text())

    def summary(self) -> dict[str, Any]:
        """What `kb list --json` shows for one document."""
        return {
            "id": self.id,
            "title": self.title,
            "tier": self.tier,
            "origin": self.origin,
            "path": str(self.path) if self.path else None,
            "signals": list(self.signals),
            "ops": list(self.ops),
            "devices": list(self.devices),
            "tokens": self.tokens,
        }


def document_from_text(text: str, *, origin: str = "shipped", path: Path | None = None) -> Document:
    """Validate a document's text. Raises KnowledgeError saying what is wrong."""
    fields, body = parse_front_matter(text)
    return document_from_fields(fields, body, origin=origin, path=path)


def document_from_fields(
    fields: dict[str, Any], body: str, *, origin: str, path: Path | None
) -> Document:
    doc_id = fields.get("id")
    if not isinstance(doc_id, str) or not _ID.match(doc_id):
        raise KnowledgeError(
            "front matter needs an 'id' of lowercase letters, digits, '.', '_' or '-'"
        )
    title = fields.get("title")
    if not isinstance(title, str) or not title.strip():
        raise KnowledgeError(f"document {doc_id!r}: front matter needs a 'title'")
    lists = {key: _string_list(fields.get(key), key, doc_id) for key in _LIST_KEYS}
    tier = fields.get("tier") or (HARDWARE if lists["devices"] else GUIDANCE)
    if tier not in TIERS:
        raise KnowledgeError(f"document {doc_id!r}: tier {tier!r} is not one of {', '.join(TIERS)}")
    unknown = sorted(set(lists["signals"]) - known_signals())
    if unknown:
        raise KnowledgeError(
            f"document {doc_id!r}: unknown signals {unknown} "
            f"(known: {', '.join(sorted(known_signals()))})"
        )
    # Hardware facts without a source cannot be checked, so they are not admitted.
    if tier == HARDWARE and not (lists["devices"] and lists["sources"]):
        raise KnowledgeError(
            f"document {doc_id!r}: a hardware document needs 'devices' and 'sources'"
        )
    if not body.strip():
        raise KnowledgeError(f"document {doc_id!r}: the body is empty")
    return Document(
        id=doc_id,
        title=title.strip(),
        tier=tier,
        body=body.strip(),
        signals=lists["signals"],
        ops=tuple(op.lower() for op in lists["ops"]),
        devices=tuple(d.lower() for d in lists["devices"]),
        dtypes=lists["dtypes"],
        sources=lists["sources"],
        origin=origin,
        path=path,
        meta={k: v for k, v in fields.items() if k not in _KNOWN_KEYS},
    )


def load_document(path: Path, *, origin: str) -> Document:
    """Read and validate one file; a KnowledgeError names the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"{path}: cannot read: {exc}") from None
    try:
        return document_from_text(text, origin=origin, path=path)
    except KnowledgeError as exc:
        raise KnowledgeError(f"{path}: {exc}") from None


def _string_list(value: Any, key: str, doc_id: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise KnowledgeError(f"document {doc_id!r}: {key!r} must be a list of strings")
    return tuple(value)
