"""A written-out RMS norm or softmax inside a model of several kernels is one kernel,
as it is alone: the partition used to cut each of its reductions (the mean of squares,
the max and the sum) into kernels of their own, so a decoder layer's residual add
returned beside the RMSNorm of its sum was three kernels, the add recomputed in
each. Written as Qwen's, Gemma's and a classifier head's code writes them, at odd
sizes and bfloat16 weights; verified by the harness at more than one shape."""

from __future__ import annotations

import pytest
from kernelwright.agent.generator import partition, plan

from tests.helpers_problems import captured_cases, unverified_first_proposals

RMS = "torch.rsqrt({x}.pow(2).mean(-1, keepdim=True) + 1e-6)"
CASES = {
    # Qwen2's decoder: the residual add, then RMSNorm; both returned
    "residual_then_rms_norm_both_returned": (
        "self.weight = nn.Parameter(torch.rand(40) + 0.5)",
        "HIDDEN, RESIDUAL",
        "HIDDEN = HIDDEN + RESIDUAL\n"
        "        RESIDUAL = HIDDEN\n"
        f"        HIDDEN = HIDDEN * {RMS.format(x='HIDDEN')}\n"
        "        return self.weight * HIDDEN, RESIDUAL",
        "torch.randn(9, 40) * 3, torch.randn(9, 40)",
    ),
    # Gemma's RMSNorm of a residual sum, in float32 and back, scaled by (1 + weight)
    "gemma_rms_norm_of_a_residual_sum": (
        "self.weight = nn.Parameter(torch.randn(40).to(torch.bfloat16))",
        "x, residual",
        "h = (x + residual).float()\n"
        f"        h = h * {RMS.format(x='h')}\n"
        "        return (h * (1.0 + self.weight.float())).type_as(x)",
        "torch.randn(2, 9, 40, dtype=torch.bfloat16), torch.randn(2, 9, 40, dtype=torch.bfloat16)",
    ),
    # a classifier head: linear, then a softmax written out, the logits returned too
    "linear_then_written_softmax": (
        "self.proj = nn.Linear(24, 37)",
        "x",
        "logits = self.proj(x)\n"
        "        e = torch.exp(logits - logits.max(-1, keepdim=True).values)\n"
        "        return e / e.sum(-1, keepdim=True), logits",
        "torch.randn(11, 24) * 4",
    ),
}


problems = captured_cases(CASES)


def test_the_residual_is_written_once_and_the_norm_reads_it(problems):
    program = partition(problems["residual_then_rms_norm_both_returned"][1])
    add, norm = program.stages
    assert [s.label for s in program.stages] == ["pointwise (pointwise)", "norm (rms_norm)"]
    # the norm's kernel reads the sum the first kernel wrote, not the two inputs again
    assert {operand.name for operand in norm.plan.operands} == {add.value, "weight"}
    assert [s.value for s in program.output_stages()] == [norm.value, add.value]


def test_a_norm_of_a_sum_is_one_kernel_with_the_sum_as_its_prologue(problems):
    found = plan(problems["gemma_rms_norm_of_a_residual_sum"][1])
    assert found is not None and (found.family, found.op) == ("norm", "rms_norm")
    assert any(step.op == "add" for step in found.prologue)


def test_a_written_softmax_after_a_linear_is_one_kernel(problems):
    program = partition(problems["linear_then_written_softmax"][1])
    assert [s.label for s in program.stages] == ["matmul (linear)", "softmax (softmax)"]


@pytest.mark.slow
def test_each_gets_a_kernel_that_verifies(problems):
    assert unverified_first_proposals(list(problems.values())) == []
