"""On a real GPU: a Triton convolution in plain TF32 is `ok` where the reference is a cuDNN
convolution in TF32 (PyTorch's default), judged against float64 by the reference's own
error; the same kind of product in an fp32 matmul problem stays `rejected`
(tests/cheats/linear_tf32_dot.py, tests/gpu/test_gpu_cheats.py)."""

from __future__ import annotations

import asyncio

import pytest
from kernelwright.agent.generator import default_config, plan, render
from kernelwright.harness.evaluate import Harness
from kernelwright.harness.pool import Limits, WorkerPool

from tests.helpers_problems import graphs_for

pytestmark = pytest.mark.gpu

# As KernelBench's level-1 convolutions are written, at a size where cuDNN's choice matters.
_PROBLEM = """import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size):
        super().__init__()
        self.conv2d = nn.Conv2d(in_channels, out_channels, kernel_size, padding=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv2d(x)


batch_size = 16
in_channels = 64
out_channels = 128
kernel_size = 3


def get_inputs():
    return [torch.randn(batch_size, in_channels, 62, 58)]


def get_init_inputs():
    return [in_channels, out_channels, kernel_size]
"""


def test_a_tf32_triton_convolution_is_judged_by_the_references_own_tf32_error(tmp_path):
    path = tmp_path / "conv2d_3x3_bare.py"
    path.write_text(_PROBLEM)
    [graph] = graphs_for([path])
    found = plan(graph)
    config = default_config(found, {"kind": "cuda", "sm_count": 132, "tf32_products": True})
    assert config["PRECISION"] == "tf32"
    source = render(found, config)

    async def judge():
        harness = Harness(pool=WorkerPool(parallel=1), limits=Limits(timeout_s=300))
        return await harness.evaluate(str(path), source, device="cuda", compile_baseline=False)

    result = asyncio.run(judge())
    assert result.outcome == "ok", result.message
    assert result.correctness["criterion"] == "float64-bounded"
    assert result.speedup["vs_eager"] > 0
