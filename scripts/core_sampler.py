"""How busy the host's cores are, once a second, from /proc/stat (Linux).

    python scripts/core_sampler.py > cores.csv          # until killed
    python scripts/core_sampler.py --summary cores.csv  # a Markdown summary

A row per second: the time, then each core's busy share (user + nice + system + irq +
softirq + steal over all jiffies) in that second. The summary says whether a run was
bound by the host's CPU: the mean busy share, and the share of seconds in which all cores
were at least 90% busy.
"""

from __future__ import annotations

import statistics
import sys
import time

IDLE_FIELDS = (3, 4)  # idle, iowait (after the cpuN label)


def _read() -> dict[str, tuple[int, int]]:
    """Per core: (busy jiffies, all jiffies)."""
    cores = {}
    with open("/proc/stat") as stat:
        for line in stat:
            name, *fields = line.split()
            if not name.startswith("cpu") or name == "cpu":
                continue
            values = [int(v) for v in fields[:8]]
            idle = sum(values[i] for i in IDLE_FIELDS)
            cores[name] = (sum(values) - idle, sum(values))
    return cores


def sample(interval: float = 1.0) -> None:
    last = _read()
    print("time," + ",".join(last), flush=True)
    while True:
        time.sleep(interval)
        now = _read()
        shares = []
        for name, (busy, total) in now.items():
            was_busy, was_total = last.get(name, (busy, total))
            shares.append((busy - was_busy) / max(total - was_total, 1))
        print(f"{time.time():.1f}," + ",".join(f"{s:.3f}" for s in shares), flush=True)
        last = now


def summary(path: str) -> str:
    with open(path) as handle:
        header, *rows = [line.strip().split(",") for line in handle if line.strip()]
    seconds = [[float(v) for v in row[1:]] for row in rows if len(row) == len(header)]
    if not seconds:
        return "no samples"
    means = [statistics.fmean(row) for row in seconds]
    saturated = sum(1 for row in seconds if min(row) >= 0.9)
    return "\n".join(
        [
            "| cores | seconds | mean busy | median busy | seconds all cores >= 90% |",
            "|---|---|---|---|---|",
            f"| {len(header) - 1} | {len(seconds)} | {statistics.fmean(means):.0%} "
            f"| {statistics.median(means):.0%} | {saturated} ({saturated / len(seconds):.0%}) |",
        ]
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--summary":
        print(summary(sys.argv[2]))
    else:
        sample()
