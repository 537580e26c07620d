"""How long a harness worker takes to start when many start at once (issue 15).

A bench of eight searches starts some 40 worker processes together; each imports
torch and the harness and, where it has a GPU, makes a CUDA context. This starts
N plain processes at once that do the same and prints how long each step took:
which of the two a capture waiting 12-15 s for its worker was waiting on.

    python scripts/worker_startup_probe.py [N ...]    # e.g. 1 8 32
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

STEPS = """
import json, time
t0 = time.monotonic()
import kernelwright.harness.jobs  # what a worker imports before its request
t1 = time.monotonic()
import torch
if torch.cuda.is_available():
    torch.empty(1, device="cuda")  # the context a spare makes (harness/worker.py)
t2 = time.monotonic()
print(json.dumps({"import": t1 - t0, "context": t2 - t1}))
"""


def run(count: int) -> dict[str, float]:
    began = time.monotonic()
    procs = [
        subprocess.Popen([sys.executable, "-c", STEPS], stdout=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    steps = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    wall = time.monotonic() - began
    row: dict[str, float] = {"processes": count, "all_ready_s": round(wall, 2)}
    for name in ("import", "context"):
        values = [s[name] for s in steps]
        row[f"{name}_median_s"] = round(statistics.median(values), 2)
        row[f"{name}_max_s"] = round(max(values), 2)
    return row


if __name__ == "__main__":
    counts = [int(a) for a in sys.argv[1:]] or [1, 8, 32]
    rows = [run(n) for n in counts]
    print(
        "| processes | import median s | import max s | CUDA context median s | max s | all ready s |"
    )
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['processes']} | {r['import_median_s']} | {r['import_max_s']} | "
            f"{r['context_median_s']} | {r['context_max_s']} | {r['all_ready_s']} |"
        )
