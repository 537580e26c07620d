"""Per-family summary of bench shards: geomean vs eager and vs torch.compile, and
for convolutions whether the best candidate's convolution is a Triton kernel or
cuDNN with the chain fused after it.

Usage: python scripts/family_report.py SHARD_DIR [SHARD_DIR ...]
Each SHARD_DIR is a `kernelwright bench --out` folder: bench.json (or rows.jsonl)
and one folder per problem holding the best candidate (best.py). A problem in
several shards takes the last shard's row, as scripts/merge_bench.py does.
The family is the one the generator's docstring names ("family: conv, core op:
..."); a multi-stage program counts under its first stage's family.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

from merge_bench import load_shard  # scripts/merge_bench.py: bench.json or rows.jsonl

TRITON_CONV = ("def conv_kernel", "def conv_direct_kernel")


def _family(source: str) -> str:
    head = re.search(r"family: (\w+), core op: (?:s0: )?(\w+)", source)
    if head is None:
        return "unknown"
    family, core = head.groups()
    return core if family == "program" else family


def _conv_impl(source: str) -> str | None:
    if any(name in source for name in TRITON_CONV):
        return "triton"
    if "torch.nn.functional.conv" in source:
        return "cudnn+fused"
    return None


def main(shards: list[Path]) -> None:
    problems: dict[str, tuple[dict, Path]] = {}
    for shard in shards:
        for row in load_shard(shard)["rows"]:
            problems[row["problem"]] = (row, shard)
    by_family: dict[str, list[tuple[str, dict, str | None]]] = {}
    for name, (row, shard) in sorted(problems.items()):
        best = shard / Path(name).stem / "best.py"
        source = best.read_text() if best.exists() else ""
        by_family.setdefault(_family(source), []).append((name, row, _conv_impl(source)))
    print(
        "| family | problems | verified | geomean vs eager | geomean vs compile | "
        "faster than eager | conv: Triton / cuDNN+fused |"
    )
    print("|---|---|---|---|---|---|---|")
    for family, entries in sorted(by_family.items()):
        timed = [r for _, r, _ in entries if r.get("vs_eager") and r.get("vs_compile")]
        eager = math.exp(sum(math.log(r["vs_eager"]) for r in timed) / len(timed)) if timed else 0
        comp = math.exp(sum(math.log(r["vs_compile"]) for r in timed) / len(timed)) if timed else 0
        impls = [impl for _, _, impl in entries if impl]
        conv = f"{impls.count('triton')} / {impls.count('cudnn+fused')}" if impls else "—"
        print(
            f"| {family} | {len(entries)} | {sum(bool(r.get('verified')) for _, r, _ in entries)} "
            f"| {eager:.2f} | {comp:.2f} | {sum(r['vs_eager'] > 1 for r in timed)} | {conv} |"
        )


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main([Path(p) for p in sys.argv[1:]])
