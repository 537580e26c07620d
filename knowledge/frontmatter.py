"""A small, strict parser for the YAML subset our knowledge documents use.

We parse front matter ourselves so the package needs no YAML dependency, and
so that a team's hand-written document fails with a line number instead of
being silently misread. Supported, one key per line:

    key: plain text              -> str ("true"/"false" -> bool, "null" -> None,
                                    numbers -> int/float)
    key: "quoted" | 'quoted'     -> str
    key: [a, b, c]               -> list of str (flow list, no nesting)
    key: ["a, b", {"x": 1}]      -> any JSON value when the text is valid JSON
    key:                         -> block list from the indented lines below
      - item
    # comment lines and blank lines are ignored
"""

from __future__ import annotations

import json
import re
from typing import Any

FENCE = "---"
_KEY_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*:(?:\s+(.*?))?\s*$")
_BLOCK_ITEM = re.compile(r"^\s+-\s+(.*?)\s*$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


class KnowledgeError(ValueError):
    """A knowledge document (or skill) is unusable; the message says why."""


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Return (front matter text, body, line number where the body starts)."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != FENCE:
        raise KnowledgeError("no front matter: the file must start with a '---' line")
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == FENCE:
            return "\n".join(lines[1:number]), "\n".join(lines[number + 1 :]), number + 2
    raise KnowledgeError("front matter is not closed by a '---' line")


def parse_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Parse a whole document into (fields, body). Raises KnowledgeError."""
    header, body, _ = split_front_matter(text)
    return parse_fields(header, first_line=2), body.strip()


def parse_fields(header: str, first_line: int = 1) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    open_block: str | None = None  # key whose block list is being read
    for offset, line in enumerate(header.splitlines()):
        where = f"front matter line {first_line + offset}"
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        item = _BLOCK_ITEM.match(line)
        if item:
            if open_block is None:
                raise KnowledgeError(f"{where}: list item without a key above it")
            fields[open_block].append(_parse_scalar(item.group(1), where))
            continue
        if line[0].isspace():
            raise KnowledgeError(f"{where}: unexpected indentation (nested maps are not supported)")
        match = _KEY_LINE.match(line)
        if not match:
            raise KnowledgeError(f"{where}: expected 'key: value', got {stripped!r}")
        key, raw = match.group(1), match.group(2)
        if key in fields:
            raise KnowledgeError(f"{where}: duplicate key {key!r}")
        if raw is None or raw == "":
            fields[key] = []
            open_block = key
        else:
            fields[key] = _parse_value(raw, where)
            open_block = None
    return fields


def _parse_value(raw: str, where: str) -> Any:
    if raw[0] in "[{":
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            if raw[0] == "{":
                raise KnowledgeError(f"{where}: a '{{...}}' value must be valid JSON") from None
            return _parse_flow_list(raw, where)
    return _parse_scalar(raw, where)


def _parse_flow_list(raw: str, where: str) -> list[Any]:
    if not raw.endswith("]"):
        raise KnowledgeError(f"{where}: list is not closed with ']'")
    inner = raw[1:-1].strip()
    if not inner:
        return []
    if "[" in inner or "{" in inner:
        raise KnowledgeError(f"{where}: nested lists need JSON syntax")
    return [_parse_scalar(part.strip(), where) for part in inner.split(",") if part.strip()]


def _parse_scalar(raw: str, where: str) -> Any:
    if raw[0] == '"':
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            raise KnowledgeError(f"{where}: unterminated or malformed string {raw!r}") from None
    if raw[0] == "'":
        if len(raw) < 2 or not raw.endswith("'"):
            raise KnowledgeError(f"{where}: unterminated string {raw!r}")
        return raw[1:-1].replace("''", "'")
    if raw in ("true", "false"):
        return raw == "true"
    if raw in ("null", "~"):
        return None
    if _NUMBER.match(raw):
        return float(raw) if any(c in raw for c in ".eE") else int(raw)
    return raw


def render_fields(fields: dict[str, Any]) -> str:
    """Write fields back in the subset above (JSON for anything non-trivial)."""
    lines = [FENCE]
    for key, value in fields.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (int, float)):
            text = repr(value)
        else:
            text = json.dumps(value, ensure_ascii=False, sort_keys=isinstance(value, dict))
        lines.append(f"{key}: {text}")
    lines.append(FENCE)
    return "\n".join(lines) + "\n"
