"""Compare gpu_probe.py runs made with and without the sandbox (scripts/gpu_sandbox_check.sh).

Usage: python scripts/compare_probes.py NONE1.json SANDBOX1.json NONE2.json SANDBOX2.json
Prints, per problem, the candidate's median time and speedup vs eager in each run,
and each run's median evaluation wall time: the sandbox's cost shows as a difference
between the sandboxed and unsandboxed columns larger than between the two runs of each.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path


def load(path: str) -> dict[str, dict]:
    return {row["problem"]: row for row in json.loads(Path(path).read_text())}


def main(paths: list[str]) -> None:
    runs = [load(p) for p in paths]
    names = [Path(p).stem.removeprefix("probe-") for p in paths]
    problems = sorted(set().union(*runs))
    print("| problem | " + " | ".join(f"{n} ms / vs eager" for n in names) + " |")
    print("|---|" + "---|" * len(runs))
    for problem in problems:
        cells = []
        for run in runs:
            row = run.get(problem, {})
            ms, speed = row.get("ms"), row.get("vs_eager")
            cells.append(f"{ms:.4f} / {speed:.2f}x" if ms and speed else row.get("outcome", "—"))
        print(f"| {problem[:30]} | " + " | ".join(cells) + " |")
    walls = [
        statistics.median([r["wall_s"] for r in run.values() if r.get("wall_s")] or [0])
        for run in runs
    ]
    print("| median evaluation wall s | " + " | ".join(f"{w:.1f}" for w in walls) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
