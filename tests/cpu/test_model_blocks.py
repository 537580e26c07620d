"""More blocks as model code writes them, each one kernel where it has one core op:
Gemma's RMSNorm scales by `1.0 + weight` (work on the weight before it is broadcast,
which ended the kernel: three kernels, shape-specific), DiT's adaLN `modulate`
(`x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)`), and BLOOM's attention scores
by `baddbmm` (alibi + alpha * q @ k), which had no candidate; T5's `scores += position_bias`
on its input, whose `add_` ran as PyTorch's in-place op and was `rejected` (the candidate
wrote into its inputs): in-place ops plan as the op they update with."""

from __future__ import annotations

import pytest
from kernelwright.agent.generator import plan
from kernelwright.agent.generator.graph import out_of_place

from tests.helpers_problems import (
    captured_forward_problems,
    unverified_first_proposals,
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
    "t5_scores_plus_bias_in_place": (
        "pass",
        "scores, position_bias",
        "scores += position_bias\n        return F.softmax(scores.float(), dim=-1).type_as(scores)",
        "torch.randn(2, 3, 9, 9, dtype=torch.float16) * 4, "
        "torch.randn(1, 3, 9, 9, dtype=torch.float16)",
    ),
}
FAMILIES = {
    "gemma_rms_norm": "norm",
    "dit_modulate": "pointwise",
    "bloom_baddbmm_scores": "matmul",
    "t5_scores_plus_bias_in_place": "softmax",
}


@pytest.fixture(scope="module")
def problems(tmp_path_factory):
    return list(captured_forward_problems(tmp_path_factory.mktemp("blocks"), CASES).values())


def test_each_is_one_kernel(problems):
    planned = {path.stem: plan(graph) for path, graph in problems}
    assert {name: (p.family if p else None) for name, p in planned.items()} == FAMILIES


@pytest.mark.slow
def test_each_gets_a_kernel_that_verifies(problems):
    # BLOOM's first candidate is cuBLAS's bmm with its epilogue: no Triton kernel needed
    assert unverified_first_proposals(problems, triton=False) == []


def test_an_in_place_op_left_to_pytorch_runs_out_of_place():
    assert out_of_place("aten.index_put_.default") == "aten.index_put.default"
    assert out_of_place("aten.add_.Tensor") == "aten.add.Tensor"
    assert out_of_place("method:masked_fill_") == "method:masked_fill"
    # no out-of-place method to call: the call stays as written
    assert out_of_place("method:copy_") == "method:copy_"
    assert out_of_place("aten.__and__.Tensor") == "aten.__and__.Tensor"
