"""Problem files at test sizes: rewrite module-level size constants.

KernelBench-format problems declare sizes as module-level integer constants
(`BATCH = 128`). Under the Triton interpreter on a CPU a realistic size takes
hours, so tests and the corpus report (scripts/corpus_report.py) run each
problem with small odd sizes instead (odd and not powers of two, so masks and
tails are exercised). A `# test: N` comment on a constant's line picks N.
Pure text: nothing is imported or run.
"""

from __future__ import annotations

import re

# Upper-case constants, and any module-level integer whose line carries a `# test:` hint
# (KernelBench itself writes `batch_size = 4096`).
_CONSTANT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(\d+)[ \t]*(#.*)?$", re.MULTILINE)


def shrink_source(source: str, small: dict[str, int] | None = None) -> str:
    """Integer size constants rewritten: names in `small` get that value, a `# test: N`
    comment gives N, any other constant above 7 a small odd value."""
    small = small or {}

    def replace(match: re.Match) -> str:
        name, value, comment = match.group(1), int(match.group(2)), match.group(3) or ""
        hinted = re.search(r"test:\s*(\d+)", comment)
        if not (name.isupper() or hinted or name in small):
            return match.group(0)  # a lower-case name without a hint: not a size we know of
        if name in small:
            new = small[name]
        elif hinted:
            new = int(hinted.group(1))
        else:
            new = value if value <= 7 else 7 + 2 * ((value + len(name)) % 4)  # odd, not 2^k
        return f"{name} = {new}  {comment}".rstrip()

    return _CONSTANT.sub(replace, source)
