"""What an evaluation spare's start costs, with and without the trusted copy of the
harness kernels (harness/kernel_cache.py), started exactly as the pool starts one: in
the sandbox, at the evaluation workers' CPU priority.

On an H100, evaluations whose worker got the copy waited 4-7 s for it, those without
0.01-1.8 s (benchmarks/results/h100-2026-12-05-spares-after-the-kernel-cache). This
times, for each start: until the judge says it is ready, and the Triton cache entries
of its private folder then and 6 s later (the forked runner warms its own kernels
after the judge's word: an entry added is a compile, not a load).

    python scripts/spare_start_cost.py [ROUNDS]     # on a GPU machine, with a sandbox
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from kernelwright.harness import kernel_cache
from kernelwright.harness.messages import JobKind
from kernelwright.harness.pool import Limits, WorkerPool, _end, _until_ready


def _entries(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*")) if folder.is_dir() else 0


async def _one(pool: WorkerPool, copy: bool) -> str:
    if not copy:  # as while the compile job runs: the worker compiles the usual variant
        pool._harness_kernels_now = lambda device: None  # type: ignore[method-assign]
    began = time.monotonic()
    worker = await pool._start("cuda", 0, JobKind.EVAL.value)
    cache = worker.private / "triton"
    copied = _entries(cache)
    try:
        status, payload = await _until_ready(worker.proc, Limits(timeout_s=120))
        ready = time.monotonic() - began
        at_ready = _entries(cache)
        await asyncio.sleep(6)
        later = _entries(cache)
        steps = [
            line.split(": ", 1)[1]
            for line in Path(worker.log_path).read_text(errors="replace").splitlines()
            if line.startswith("kernelwright worker")
        ]
    finally:
        await _end(worker)
    return (
        f"copy={'yes' if copy else 'no '} ready {ready:5.2f} s ({status or 'ok'}) "
        f"cache entries: copied {copied}, at ready {at_ready}, 6 s later {later}\n    "
        + "\n    ".join(steps)
    )


async def main(rounds: int) -> None:
    started = time.monotonic()
    published = await WorkerPool(kernel_copy=True)._harness_kernels("cuda")
    print(f"compile job: {time.monotonic() - started:.2f} s -> {published}")
    if published is None:
        print("no copy published: is there a sandbox and a GPU?")
        return
    print(f"copy: {_entries(published)} entries under {kernel_cache.folder()}")
    for _ in range(rounds):
        for copy in (True, False):
            print(await _one(WorkerPool(kernel_copy=True), copy), flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
