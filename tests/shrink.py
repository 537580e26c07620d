"""Shrink a realistic problem's module-level size constants for the CPU interpreter."""

from __future__ import annotations

import re
from pathlib import Path

_ASSIGN = re.compile(r"^([A-Z][A-Z0-9_]*(?:\s*,\s*[A-Z][A-Z0-9_]*)*)\s*=\s*(.+)$")
SMALL = [13, 37, 9, 21, 17, 11, 7, 5]


def shrink_source(source: str) -> str:
    out, used = [], 0
    for line in source.splitlines():
        match = _ASSIGN.match(line)
        if match and re.fullmatch(r"[\d_,\s]+", match.group(2)):
            names = [n.strip() for n in match.group(1).split(",")]
            values = []
            for _ in names:
                values.append(str(SMALL[used % len(SMALL)]))
                used += 1
            line = f"{', '.join(names)} = {', '.join(values)}"
        out.append(line)
    return "\n".join(out) + "\n"


def shrunk_copy(path: Path, tmp: Path) -> Path:
    target = tmp / path.name
    target.write_text(shrink_source(path.read_text()))
    return target
