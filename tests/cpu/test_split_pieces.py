"""`q, k, v = qkv.split(n_embd, dim=2)` (nanoGPT's attention), `x.chunk(2, dim=-1)`
(SwiGLU) and `x.split([5, 8], dim=1)` capture as one node with a tuple result, which
has no shape. The embedded generator had no candidate for them ("the shape of
`split`'s result is unknown after capture"); each piece is now the slice it is
(agent/generator/rewrites.py `expanded`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from kernelwright.agent.generator.rewrites import expanded

from tests.helpers_problems import (
    FORWARD_PROBLEM,
    capture_many,
    shrunk_problem,
    unverified_first_proposals,
    written_problems,
)

NANOGPT = (
    Path(__file__).parents[2] / "benchmarks" / "corpus" / "202_nanogpt_causal_self_attention.py"
)


CASES = {
    "swiglu_chunk_last_dim": {
        "init": "pass",
        "arguments": "x",
        "body": "x1, x2 = x.chunk(2, dim=-1)\n        return F.silu(x1) * x2",
        "inputs": "torch.randn(3, 7, 26)",
    },
    "split_sizes_then_cat": {
        "init": "pass",
        "arguments": "x",
        "body": "a, b = torch.split(x, [5, 8], dim=1)\n        return torch.cat([b, a * 2.0], dim=1)",
        "inputs": "torch.randn(9, 13)",
    },
}


@pytest.fixture(scope="module")
def problems(tmp_path_factory):
    folder = tmp_path_factory.mktemp("split")
    paths = [*written_problems(folder, FORWARD_PROBLEM, CASES), shrunk_problem(NANOGPT, folder)]
    return list(zip(paths, capture_many(paths), strict=True))


def test_each_piece_is_a_slice_and_the_tuple_is_gone(problems):
    for path, graph in problems:
        nodes = expanded(graph)["nodes"]
        ops = [n["op"] for n in nodes]
        assert not any(op.startswith(("aten.split", "aten.chunk")) for op in ops), path.name
        assert "operator.getitem" not in ops, path.name
    swiglu = expanded(problems[0][1])["nodes"]
    assert [n["args"][1:] for n in swiglu if n["op"] == "aten.slice.Tensor"] == [
        [2, 0, 13],
        [2, 13, 26],
    ]


@pytest.mark.slow
def test_split_pieces_get_a_kernel_that_verifies(problems):
    assert unverified_first_proposals(problems) == []
