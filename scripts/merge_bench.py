"""Merge bench shards (one device call each) into one table, JSON and roofline.

Usage: python scripts/merge_bench.py OUT SHARD_DIR [SHARD_DIR ...]
Each SHARD_DIR holds a bench.json from `kernelwright bench --filter REGEX`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kernelwright.agent.bench import markdown, summarise
from kernelwright.agent.roofline import plot_roofline


def main(out: Path, shards: list[Path]) -> None:
    loaded = [json.loads((shard / "bench.json").read_text()) for shard in shards]
    rows = sorted((row for data in loaded for row in data["rows"]), key=lambda r: r["problem"])
    meta = dict(loaded[0]["meta"])
    meta["command"] = " ; ".join(data["meta"]["command"] for data in loaded)
    summary = summarise(rows)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps({"meta": meta, "summary": summary, "rows": rows},
                                               indent=2))
    (out / "bench.md").write_text(markdown(rows, summary, meta))
    plot_roofline(rows, meta.get("peaks"), out / "roofline.png")
    print(markdown(rows, summary, meta))


if __name__ == "__main__":
    main(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]])
