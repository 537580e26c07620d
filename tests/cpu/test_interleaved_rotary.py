"""GPT-J's rotary, as GPT-J, CodeGen and GPT-NeoX-style code writes it: `x[..., ::2]` and
`x[..., 1::2]` stacked and flattened back (rotate_every_two), sin and cos spread with
`repeat_interleave`. As PyTorch's ops that is seven ops that each write a tensor; read
by index (a strided slice, an interleave, a stretch: agent/generator/concat.py) it is one
pointwise kernel. Written with upper-case arguments, in bfloat16 and float32, at odd
sizes, verified by the harness at more than one shape."""

from __future__ import annotations

import pytest
from kernelwright.agent.generator import partition, plan
from kernelwright.agent.generator.concat import fuse_concats
from kernelwright.agent.generator.expr import INTERLEAVE, STRETCH
from kernelwright.agent.generator.graph import canonical_ops

from tests.helpers_problems import captured_cases, unverified_first_proposals

EVERY_TWO = (
    "x1 = {x}[:, :, :, ::2]\n"
    "        x2 = {x}[:, :, :, 1::2]\n"
    "        rotated = torch.stack((-x2, x1), dim=-1).flatten(-2)\n"
)
CASES = {
    "gptj_apply_rotary_pos_emb": (
        "pass",
        "tensor, sin, cos",
        "sin = torch.repeat_interleave(sin[:, :, None, :], 2, 3)\n"
        "        cos = torch.repeat_interleave(cos[:, :, None, :], 2, 3)\n"
        f"        {EVERY_TWO.format(x='tensor')}"
        "        return (tensor * cos) + (rotated * sin)",
        "torch.randn(2, 7, 3, 10), torch.rand(2, 7, 5).sin(), torch.rand(2, 7, 5).cos()",
    ),
    "gptj_rotary_bf16_upper_case": (
        "pass",
        "Q, SIN, COS",
        "SIN = torch.repeat_interleave(SIN[:, :, None, :], 2, 3)\n"
        "        COS = torch.repeat_interleave(COS[:, :, None, :], 2, 3)\n"
        f"        {EVERY_TWO.format(x='Q')}"
        "        return (Q * COS) + (rotated * SIN)",
        "torch.randn(3, 5, 2, 6).to(torch.bfloat16) * 8, "
        "torch.rand(3, 5, 3).sin().to(torch.bfloat16), "
        "torch.rand(3, 5, 3).cos().to(torch.bfloat16)",
    ),
    # the pieces written as the rotation itself, three of them stacked, a reshape back
    "three_way_interleave_by_reshape": (
        "pass",
        "a, b",
        "return torch.stack((a * 2.0, b - a, torch.relu(b)), dim=-1).reshape(4, 9, 21)",
        "torch.randn(4, 9, 7), torch.randn(4, 9, 7)",
    ),
}


problems = captured_cases(CASES)


@pytest.mark.parametrize("name", list(CASES))
def test_the_rotary_is_one_pointwise_kernel(problems, name):
    program = partition(problems[name][1])
    assert [stage.label for stage in program.stages] == ["pointwise (pointwise)"], program.op
    found = plan(problems[name][1])
    assert found is not None and found.family == "pointwise"


def test_stack_flatten_is_an_interleave_and_repeat_interleave_a_stretch(problems):
    graph = problems["gptj_apply_rotary_pos_emb"][1]
    ops, _ = canonical_ops(graph)
    fuse_concats(ops, graph)
    kinds = {op.kind for op in ops}
    assert INTERLEAVE in kinds and STRETCH in kinds


def test_a_repeat_interleave_by_a_tensor_of_counts_is_left_to_pytorch():
    from kernelwright.agent.generator.graph import Op, Ref

    counts = Op("r", "repeat_interleave", [Ref("x"), Ref("counts"), 0], {}, (6,), "float32")
    fuse_concats([counts], {"inputs": []})
    assert counts.kind == "repeat_interleave"


@pytest.mark.slow
def test_each_verifies_at_several_shapes(problems):
    assert unverified_first_proposals(list(problems.values())) == []
