"""`F.normalize` and `x.norm(...)` (CLIP's and SimCLR's embeddings) ran PyTorch's
`linalg_vector_norm` as a stage of its own: now the 2-, 1- and inf-norm over given
dims are reductions with their pointwise work fused (rewrites._vector_norm_as_reduction),
and each still verifies, at a large magnitude too."""

from __future__ import annotations

import pytest
from kernelwright.agent.generator import partition

from tests.helpers_problems import captured_cases, unverified_first_proposals

CASES = {
    "f_normalize": (
        "pass",
        "image_embeds",
        "return F.normalize(image_embeds, dim=-1)",
        "torch.randn(13, 24) * 1000",
    ),
    "l1_norm_method": (
        "pass",
        "x",
        "return x / x.norm(p=1, dim=1, keepdim=True)",
        "torch.randn(5, 7, 3)",
    ),
    "inf_norm": (
        "pass",
        "x",
        "return torch.linalg.vector_norm(x, ord=float('inf'), dim=-1) * 2",
        "torch.randn(6, 10) - 3",
    ),
}


problems = captured_cases(CASES)


@pytest.mark.parametrize("name", list(CASES))
def test_the_norm_is_a_reduction_of_ours(problems, name):
    program = partition(problems[name][1])
    assert "PyTorch" not in program.op and "reduction" in program.op, program.op


@pytest.mark.slow
def test_each_verifies(problems):
    assert unverified_first_proposals(list(problems.values())) == []
