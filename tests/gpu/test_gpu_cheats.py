"""On a real GPU: every cheat is caught, including the GPU-only ones, and timing is honest."""

from __future__ import annotations

import asyncio

import pytest
from kernelwright.harness.evaluate import Harness
from kernelwright.harness.pool import Limits, WorkerPool

from tests.conftest import CHEATS, PROBLEMS
from tests.cpu.test_harness_cheats import EXPECTED

pytestmark = pytest.mark.gpu

GPU_EXPECTED = {
    **{k: v for k, v in EXPECTED.items() if k not in ("crash_memory", "memory_in_child")},
    # Static rule off the table: only the profiler's stream trace can see this one.
    "other_stream_dynamic": (PROBLEMS / "small_softmax.py", "rejected", "dynamic:other-stream"),
    # Its L2 carve-out would keep its inputs warm through the flush (harness/persisting_l2.py).
    "persisting_l2_dynamic": (PROBLEMS / "small_softmax.py", "rejected", "dynamic:persisting-l2"),
}


@pytest.fixture(scope="module")
def gpu_verdicts():
    async def run_all():
        harness = Harness(
            pool=WorkerPool(parallel=8), limits=Limits(timeout_s=90, memory_bytes=8 << 30)
        )
        names = sorted(GPU_EXPECTED)
        results = await asyncio.gather(
            *[
                harness.evaluate(
                    str(GPU_EXPECTED[n][0]),
                    (CHEATS / f"{n}.py").read_text(),
                    device="cuda",
                    compile_baseline=False,
                )
                for n in names
            ]
        )
        return dict(zip(names, results))

    return asyncio.run(run_all())


@pytest.mark.parametrize("name", sorted(GPU_EXPECTED))
def test_gpu_candidate_gets_its_verdict(gpu_verdicts, name):
    _, outcome, flag = GPU_EXPECTED[name]
    result = gpu_verdicts[name]
    assert result.outcome == outcome, f"{name}: {result.outcome}: {result.message}"
    if flag:
        assert flag in result.flags, f"{name}: {result.flags}: {result.message}"


def test_gpu_ok_candidate_is_timed_against_eager(gpu_verdicts):
    result = gpu_verdicts["ok_softmax"]
    assert result.timing["median_ms"] > 0 and result.timing["method"] == "cuda-events+l2-flush"
    assert result.speedup["vs_eager"] > 0
    assert result.profile["achieved_gbps"] > 0


# Outputs of 128 MiB come from the caching allocator's large pool, where a cached block
# of exactly the output's size (the trace probe's or a domain check's output: the
# reference's answer for the trial's own inputs) would fit better than the NaN block
# twice its size; verify.poison_allocator empties the cache first.
LARGE_PROBLEM = """
import torch
import torch.nn as nn


class Model(nn.Module):
    def forward(self, x):
        return torch.{op}(x{dim})


def get_inputs():
    return [torch.randn(4096, 8192)]


def get_init_inputs():
    return []
"""


@pytest.mark.parametrize("op, dim", [("relu", ""), ("softmax", ", dim=1")])
def test_unwritten_memory_never_holds_the_answer_at_large_sizes(tmp_path, op, dim):
    problem = tmp_path / f"large_{op}.py"
    problem.write_text(LARGE_PROBLEM.format(op=op, dim=dim))
    result = asyncio.run(
        Harness(pool=WorkerPool(parallel=1)).evaluate(
            str(problem),
            (CHEATS / "stale_memory.py").read_text(),
            device="cuda",
            compile_baseline=False,
            use_cache=False,
        )
    )
    assert result.outcome == "wrong", f"{result.outcome}: {result.message}"
