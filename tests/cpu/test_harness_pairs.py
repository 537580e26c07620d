"""The harness's GPU-check pairs are themselves correct (shrunk, under the interpreter)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from kernelwright.harness.evaluate import Harness
from kernelwright.harness.pool import WorkerPool

from tests.helpers_problems import shrunk_problem

PAIRS = Path(__file__).parents[1].parent / "benchmarks" / "harness"
NAMES = ["elementwise", "reduction", "softmax", "layernorm", "linear_relu", "conv_relu"]


def test_every_pair_verifies_at_odd_small_sizes(tmp_path):
    async def run_all():
        harness = Harness(pool=WorkerPool(parallel=3))
        return await asyncio.gather(
            *[
                harness.evaluate(
                    str(shrunk_problem(PAIRS / f"{n}.py", tmp_path)),
                    (PAIRS / f"{n}_kernel.py").read_text(),
                    device="cpu",
                )
                for n in NAMES
            ]
        )

    results = dict(zip(NAMES, asyncio.run(run_all())))
    for name, result in results.items():
        assert result.outcome == "ok", f"{name}: {result.message}\n{result.log_tail}"
        assert "no-triton-kernel" not in result.flags
