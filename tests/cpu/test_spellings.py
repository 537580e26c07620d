"""Ops spelled as public code spells them get a kernel that verifies: einsum as a
matmul (either operand transposed), tril/triu fused as an element's place, triplet margin loss as the distances and hinge
it is, and batch norm in training mode (the batch's statistics, as KernelBench's
reference runs it). Written as a user would, planned by the embedded generator,
verified by the harness at odd sizes."""

from __future__ import annotations

import pytest
from kernelwright.agent.generator import config_space, plan, render

from tests.helpers_problems import (
    capture_many,
    failures,
    first_proposal,
    verify_many,
    written_problems,
)

_PROBLEM = """import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.BatchNorm2d(5)

    def forward(self, {arguments}):
        return {expression}


def get_inputs():
    return [{inputs}]


def get_init_inputs():
    return []
"""

CASES = {
    "einsum_transposed_keys": (
        "Q, K",
        'torch.einsum("bqd,bkd->bqk", Q, K) * 0.125',
        "torch.randn(3, 7, 5), torch.randn(3, 9, 5)",
    ),
    "einsum_transposed_left": (
        "a, b",
        'torch.einsum("ki,kj->ij", a, b)',
        "torch.randn(11, 5), torch.randn(11, 7)",
    ),
    "triplet_l1_sum": (
        "a, p, n",
        "F.triplet_margin_loss(a, p, n, margin=0.5, p=1, reduction='sum')",
        "torch.randn(6, 13), torch.randn(6, 13) * 2, torch.randn(6, 13) - 1",
    ),
    # a user's argument names that the matmul template's launch code also uses
    "inputs_named_like_template_locals": (
        "a, b, head",
        "torch.relu(a @ b + head)",
        "torch.randn(7, 13), torch.randn(13, 5), torch.randn(5)",
    ),
    "masked_bmm_upper_band": (
        "A, B",
        "torch.tril(torch.bmm(A, B), diagonal=1)",
        "torch.randn(2, 9, 5), torch.randn(2, 5, 9)",
    ),
    "triu_below_diagonal": ("x", "torch.triu(x * 2.0, diagonal=-1)", "torch.randn(3, 7, 6)"),
    "softmax_written_with_amax": (
        "x",
        "torch.exp(x - x.amax(dim=1, keepdim=True)) / "
        "torch.exp(x - x.amax(dim=1, keepdim=True)).sum(1, keepdim=True)",
        "torch.randn(5, 13, 3) * 20",
    ),
    "batch_norm_training_then_gelu": (
        "x",
        "F.gelu(self.norm(x))",
        "torch.randn(4, 5, 7, 3) * 4 + 2",
    ),
    # ConvNeXt's channels-first layer norm: one norm over dim 1, no copies
    "channels_first_layer_norm": (
        "x, w, b",
        "F.layer_norm(x.permute(0, 2, 3, 1), (5,), w, b, 1e-6).permute(0, 3, 1, 2)",
        "torch.randn(2, 5, 7, 3) * 3 + 1, torch.randn(5), torch.randn(5)",
    ),
    "channels_first_layer_norm_1d_then_scale": (
        "x",
        "F.layer_norm(x.permute(0, 2, 1), (6,)).permute(0, 2, 1) * 2.0",
        "torch.randn(3, 6, 11) - 4",
    ),
}


@pytest.mark.slow
def test_each_spelling_gets_a_kernel_that_verifies(tmp_path):
    fields = {
        name: {"arguments": a, "expression": e, "inputs": i} for name, (a, e, i) in CASES.items()
    }
    paths = written_problems(tmp_path, _PROBLEM, fields)
    cases = []
    for path, graph in zip(paths, capture_many(paths), strict=True):
        proposal = first_proposal(path, graph)
        assert "@triton.jit" in proposal.source, path.name
        cases.append((path, proposal.source))
    assert failures(cases, verify_many(cases)) == []


@pytest.mark.slow
def test_a_masked_matmul_fuses_its_mask_in_every_implementation(tmp_path):
    """torch.tril after a matmul is the matmul's epilogue, both after cuBLAS and in
    the Triton tiles' store, whose flat offsets are 2-D tiles."""
    arguments, expression, inputs = CASES["masked_bmm_upper_band"]
    (path,) = written_problems(
        tmp_path,
        _PROBLEM,
        {"masked": {"arguments": arguments, "expression": expression, "inputs": inputs}},
    )
    found = plan(capture_many([path])[0])
    assert found is not None and found.family == "matmul"
    space = config_space(found)
    chosen = [
        next(c for c in space if c.get("impl") == "torch"),
        next(c for c in space if c.get("impl") == "triton"),
    ]
    cases = [(path, render(found, config)) for config in chosen]
    assert failures(cases, verify_many(cases)) == []


@pytest.mark.slow
def test_a_reversed_scan_is_one_kernel_over_several_chunks(tmp_path):
    """flip -> cumsum/cumprod -> flip along one dim walks the rows from the end, with the
    carry crossing chunks: the smallest BLOCK_R splits 37 rows into several."""
    fields = {
        "reverse_cumprod_middle_dim": {
            "arguments": "x",
            "inputs": "torch.randn(3, 37, 5)",
            "expression": "torch.cumprod((x * 0.1 + 1.0).flip(1), dim=1).flip(1)",
        },
        "reverse_cumsum_last_dim": {
            "arguments": "x",
            "inputs": "torch.randn(4, 45)",
            "expression": "x.flip(-1).cumsum(-1).flip(-1)",
        },
    }
    cases = []
    for path, graph in zip(
        paths := written_problems(tmp_path, _PROBLEM, fields), capture_many(paths), strict=True
    ):
        found = plan(graph)
        assert found is not None and found.family == "scan" and found.attr("reverse")
        smallest = min(config_space(found), key=lambda c: c["BLOCK_R"])
        cases.append((path, render(found, smallest)))
    assert failures(cases, verify_many(cases)) == []


def test_written_out_softmax_is_planned_as_softmax(tmp_path):
    """Two spellings model code uses: max(...)[0] and amax, over a middle dim too."""
    fields = {
        "with_max_values": {
            "arguments": "x",
            "inputs": "torch.randn(4, 9)",
            "expression": "(lambda e: e / e.sum(-1, keepdim=True))("
            "torch.exp(x - torch.max(x, dim=-1, keepdim=True)[0]))",
        },
        "with_amax_middle_dim": {
            "arguments": "x",
            "inputs": CASES["softmax_written_with_amax"][2],
            "expression": CASES["softmax_written_with_amax"][1],
        },
    }
    paths = written_problems(tmp_path, _PROBLEM, fields)
    plans = [plan(graph) for graph in capture_many(paths)]
    assert [(p.family, p.attr("dims")) for p in plans] == [("softmax", (1,)), ("softmax", (1,))]


def test_a_layer_norm_between_permutes_is_one_norm_over_the_channels(tmp_path):
    names = ["channels_first_layer_norm", "channels_first_layer_norm_1d_then_scale"]
    fields = {
        n: dict(zip(("arguments", "expression", "inputs"), CASES[n], strict=True)) for n in names
    }
    paths = written_problems(tmp_path, _PROBLEM, fields)
    planned = [plan(graph) for graph in capture_many(paths)]
    assert [(p.family, p.attr("R"), p.attr("inner")) for p in planned] == [
        ("norm", 5, 21),
        ("norm", 6, 11),
    ]
