"""Merge bench shards (one device call each) into one table, JSON and roofline.

Usage: python scripts/merge_bench.py OUT SHARD_DIR [SHARD_DIR ...]
Each SHARD_DIR holds a bench.json from `kernelwright bench --filter REGEX`, or,
where a device call's time limit stopped the bench before it wrote its final
table, its rows.jsonl (the last row per problem is the latest: a final baseline row
follows the search's row). A problem in several shards (run again because its
first search ended without an evaluation) takes the row of the last shard named;
the replaced rows are listed in the table's command line and the JSON's
`meta.replaced`, and every row names its `shard`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from kernelwright.agent.bench import markdown, summarise
from kernelwright.agent.roofline import plot_roofline


def load_shard(shard: Path) -> dict[str, Any]:
    table = shard / "bench.json"
    written = json.loads(table.read_text()) if table.exists() else None
    # A table with a `stage` was written between the searches and the final
    # baselines: rows.jsonl holds the rows timed after it.
    if written is not None and "stage" not in written["meta"]:
        return written
    if not (shard / "rows.jsonl").exists():
        raise SystemExit(f"{shard}: neither bench.json nor rows.jsonl (not a bench --out folder?)")
    latest: dict[str, dict[str, Any]] = {}
    for line in (shard / "rows.jsonl").read_text().splitlines():
        row = json.loads(line)
        latest[row["problem"]] = row
    missing = [p for p, r in latest.items() if r.get("verified") and r.get("vs_compile") is None]
    command = (
        f"(shard {shard.name}: stopped before its table; rows from rows.jsonl; "
        f"no torch.compile baseline for {', '.join(missing)})"
        if missing
        else f"(shard {shard.name}: rows from rows.jsonl)"
    )
    meta = dict(written["meta"]) if written else {}
    meta["command"] = f"{meta['command']} {command}" if "command" in meta else command
    return {"meta": meta, "rows": list(latest.values())}


def main(out: Path, shards: list[Path]) -> None:
    loaded = [load_shard(shard) for shard in shards]
    latest: dict[str, dict[str, Any]] = {}
    replaced = []
    for shard, data in zip(shards, loaded):
        for row in data["rows"]:
            earlier = latest.get(row["problem"])
            if earlier is not None:
                replaced.append(
                    f"{row['problem']} from {earlier['shard']} (verified: "
                    f"{earlier.get('verified')}, evaluations: {earlier.get('evaluated')})"
                    f" replaced by {shard.name}"
                )
            latest[row["problem"]] = {**row, "shard": shard.name}
    rows = sorted(latest.values(), key=lambda r: r["problem"])
    meta = dict(next(data["meta"] for data in loaded if "device" in data["meta"]))
    meta.pop("stage", None)
    meta["command"] = " ; ".join(data["meta"]["command"] for data in loaded)
    if replaced:
        meta["replaced"] = replaced
        meta["command"] += " ; rows replaced by a later shard: " + "; ".join(replaced)
    summary = summarise(rows)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(
        json.dumps({"meta": meta, "summary": summary, "rows": rows}, indent=2)
    )
    (out / "bench.md").write_text(markdown(rows, summary, meta))
    plot_roofline(rows, meta.get("peaks"), out / "roofline.png")
    print(markdown(rows, summary, meta))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__.strip().splitlines()[2])
    main(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]])
