"""On a real GPU: evaluations wait for memory instead of running out of it (issue 15), and a
candidate that needs more than the device has is told so."""

from __future__ import annotations

import asyncio
import os

import pytest
import torch
from kernelwright.harness import admission, memory
from kernelwright.harness.evaluate import Harness
from kernelwright.harness.pool import Limits, WorkerPool
from kernelwright.harness.store import Store

from tests.conftest import PROBLEMS

pytestmark = pytest.mark.gpu

GIB = 1 << 30
# fp32 input and output of 4 GiB each, as the problems that ran out of memory in issue 15.
BIG_PROBLEM = """
import torch
import torch.nn as nn

N = 1 << 30


class Model(nn.Module):
    def forward(self, x):
        return torch.relu(x)


def get_inputs():
    return [torch.randn(N)]


def get_init_inputs():
    return []
"""
CLAMP = """
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def forward(self, x):
        return x.clamp_min(0.0)
"""
GREEDY = """
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def forward(self, x):
        total = torch.cuda.get_device_properties(x.device).total_memory
        hog = torch.empty(2 * total, dtype=torch.uint8, device=x.device)
        return torch.softmax(x, dim=1) + hog[0]
"""


def _gpu_id() -> str:
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    return visible.split(",")[0] if visible else "0"


def test_nvidia_smi_reads_the_device_s_memory():
    info = asyncio.run(admission.nvidia_smi(_gpu_id()))
    assert info is not None and 0 < info.free <= info.total
    assert abs(info.total - torch.cuda.get_device_properties(0).total_memory) < 0.05 * info.total


def test_evaluations_that_do_not_fit_beside_each_other_take_turns(tmp_path):
    """Another process holds all but 40 GiB; two evaluations of a 4 GiB problem arrive at once."""
    problem = tmp_path / "relu_4gib.py"
    problem.write_text(BIG_PROBLEM)
    free, _ = torch.cuda.mem_get_info()
    hog = torch.empty(max(free - 40 * GIB, 0), dtype=torch.uint8, device="cuda")

    async def run():
        harness = Harness(
            store=Store(tmp_path / "results.sqlite"),
            pool=WorkerPool(parallel=2),
            limits=Limits(timeout_s=300),
        )
        await harness.capture(str(problem))
        await harness.profile(str(problem), "cuda", compile_baseline=False, use_cache=False)
        (facts,) = harness.problem_memory.values()
        assert facts.inputs == 4 * GIB and facts.working is not None  # measured on the GPU
        return await asyncio.gather(
            *[
                harness.evaluate(
                    str(problem), CLAMP, "cuda", use_cache=False, compile_baseline=False
                )
                for _ in range(2)
            ]
        )

    try:
        results = asyncio.run(run())
    finally:
        del hog
    for result in results:
        assert result.outcome == "ok", result.message
        assert not any("out of GPU memory" in flag for flag in result.flags), [
            (r.flags, r.gpu_memory) for r in results
        ]
        # what it measured fits what admission booked for it
        assert result.gpu_memory is not None
        assert result.gpu_memory["over_estimate"] <= 1.0, result.gpu_memory
    # Each needs more than the 38 GiB left beside the other process: they ran one by one.
    assert max(r.seconds["waiting"] for r in results) > 1.0


def test_a_candidate_that_needs_more_than_the_device_has_is_told_so(tmp_path):
    async def run():
        harness = Harness(
            store=Store(tmp_path / "results.sqlite"),
            pool=WorkerPool(parallel=1),
            limits=Limits(timeout_s=300),
        )
        softmax = str(PROBLEMS / "small_softmax.py")
        await harness.capture(softmax)
        return await harness.evaluate(softmax, GREEDY, "cuda", use_cache=False)

    result = asyncio.run(run())
    assert result.outcome == "runtime_error"
    assert result.message.startswith(
        "the candidate ran out of GPU memory while running alone on the device (estimated footprint"
    )
    assert "device memory" in result.message
    assert memory.OUT_OF_MEMORY_FLAG in result.flags
    assert any(f.startswith("retried alone: the candidate ran out") for f in result.flags)
