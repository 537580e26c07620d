"""More blocks as model code writes them, each one kernel where it has one core op:
Gemma's RMSNorm scales by `1.0 + weight` (work on the weight before it is broadcast,
which ended the kernel: three kernels, shape-specific), DiT's adaLN `modulate`
(`x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)`), and BLOOM's attention scores
by `baddbmm` (alibi + alpha * q @ k), which had no candidate."""

from __future__ import annotations

import pytest
from kernelwright.agent.generator import plan

from tests.helpers_problems import (
    FORWARD_PROBLEM,
    capture_many,
    unverified_first_proposals,
    written_problems,
)

CASES = {
    "gemma_rms_norm": (
        "self.eps = 1e-6\n        self.weight = nn.Parameter(torch.randn(40) * 0.1)",
        "x",
        "output = x.float() * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + self.eps)\n"
        "        output = output * (1.0 + self.weight.float())\n"
        "        return output.type_as(x)",
        "torch.randn(3, 11, 40, dtype=torch.bfloat16)",
    ),
    "dit_modulate": (
        "pass",
        "x, shift, scale",
        "return x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)",
        "torch.randn(3, 17, 24), torch.randn(3, 24), torch.randn(3, 24)",
    ),
    "bloom_baddbmm_scores": (
        "self.inv_norm_factor = 1.0 / (16 ** 0.5)",
        "alibi, query_layer, key_layer",
        "return alibi.baddbmm(batch1=query_layer, batch2=key_layer, beta=1.0, "
        "alpha=self.inv_norm_factor)",
        "torch.randn(6, 1, 13), torch.randn(6, 11, 16), torch.randn(6, 16, 13)",
    ),
}
FAMILIES = {"gemma_rms_norm": "norm", "dit_modulate": "pointwise", "bloom_baddbmm_scores": "matmul"}


@pytest.fixture(scope="module")
def problems(tmp_path_factory):
    fields = {
        name: {"init": i, "arguments": a, "body": b, "inputs": x}
        for name, (i, a, b, x) in CASES.items()
    }
    paths = written_problems(tmp_path_factory.mktemp("blocks"), FORWARD_PROBLEM, fields)
    return list(zip(paths, capture_many(paths), strict=True))


def test_each_is_one_kernel(problems):
    planned = {path.stem: plan(graph) for path, graph in problems}
    assert {name: (p.family if p else None) for name, p in planned.items()} == FAMILIES


@pytest.mark.slow
def test_each_gets_a_kernel_that_verifies(problems):
    # BLOOM's first candidate is cuBLAS's bmm with its epilogue: no Triton kernel needed
    assert unverified_first_proposals(problems, triton=False) == []
