"""`torch.cat` of pointwise work on slices, fused into one pointwise kernel
(agent/generator/concat.py). LLaMA's rotary (`rotate_half`: two slices, a negation and a
cat) was five kernels of PyTorch's and ours per tensor; GPT-NeoX's partial rotary nests
one cat in another over a table narrower than the head; UNet's skip concatenation reads
two tensors. Each is now one kernel that verifies, reading the rotary's tables in place;
a cat the region cannot index runs as PyTorch's op."""

from __future__ import annotations

import pytest
from kernelwright.agent.generator import partition, plan
from kernelwright.agent.generator.expr import RegionBuilder, Unsupported

from tests.helpers_problems import (
    captured_cases,
    first_proposal,
    unverified_first_proposals,
)

CASES = {
    "llama_rotate_half": (
        "pass",
        "q, cos, sin",
        "x1, x2 = q[..., : q.shape[-1] // 2], q[..., q.shape[-1] // 2 :]\n"
        "        return q * cos.unsqueeze(1) + torch.cat((-x2, x1), dim=-1) * sin.unsqueeze(1)",
        "torch.randn(2, 3, 10, 8) * 5, torch.rand(2, 10, 8).cos(), torch.rand(2, 10, 8).sin()",
    ),
    "neox_partial_rotary": (
        "self.rotary_ndims = 4",
        "query, cos, sin",
        "q_rot, q_pass = query[..., : self.rotary_ndims], query[..., self.rotary_ndims :]\n"
        "        half = torch.cat((-q_rot[..., 2:], q_rot[..., :2]), dim=-1)\n"
        "        q_rot = q_rot * cos + half * sin\n"
        "        return torch.cat((q_rot, q_pass), dim=-1)",
        "torch.randn(2, 3, 10, 12), torch.randn(10, 4), torch.randn(10, 4)",
    ),
    "unet_skip_concat": (
        "pass",
        "x, skip",
        "return F.silu(torch.cat([x, skip], dim=1) * 0.5)",
        "torch.randn(2, 6, 5, 7) * 100, torch.randn(2, 3, 5, 7)",
    ),
    "cat_of_other_dim_slices": (
        "pass",
        "x",
        "return torch.relu(torch.cat((x[:, :3], x[:, 3:]), dim=-1))",
        "torch.randn(4, 6, 5)",
    ),
}


problems = captured_cases(CASES)


@pytest.mark.parametrize("name", ["llama_rotate_half", "neox_partial_rotary", "unet_skip_concat"])
def test_the_cat_and_its_slices_are_one_pointwise_kernel(problems, name):
    planned = plan(problems[name][1])
    program = partition(problems[name][1])
    assert (planned.family if planned else None, len(program.stages)) == ("pointwise", 1)


def test_pieces_sliced_along_another_dim_are_copied_first(problems):
    """The slices are stages of their own; the cat then reads two tensors."""
    program = partition(problems["cat_of_other_dim_slices"][1])
    assert [s.plan.family for s in program.stages] == ["pointwise"] * 3


def test_a_cat_the_region_cannot_index_runs_as_pytorchs(problems, monkeypatch):
    """Where the region fails on a cat it was given, the cat is PyTorch's op and the
    work around it still a kernel: never no candidate."""

    def refuse(self, op):
        raise Unsupported("refused for the test")

    monkeypatch.setattr(RegionBuilder, "_concat", refuse)
    program = partition(problems["llama_rotate_half"][1])
    assert "cat (PyTorch)" in program.op and program.template_stages()


def test_tables_broadcast_over_heads_are_read_in_place(problems):
    """`cos.unsqueeze(1)`, (B, 1, S, D) over (B, H, S, D): an index rule per run of kept
    dims (expr.strided_groups), where the kernel was handed a copy expanded to q's size."""
    source = first_proposal(*problems["llama_rotate_half"]).source
    assert ".expand(" not in source and source.count("@triton.jit") == 1


@pytest.mark.slow
def test_each_verifies(problems):
    assert unverified_first_proposals(list(problems.values()), triton=False) == []
