"""Ops spelled as public code spells them get a kernel that verifies: einsum as a
matmul (either operand transposed), triplet margin loss as the distances and hinge
it is, and batch norm in training mode (the batch's statistics, as KernelBench's
reference runs it). Written as a user would, planned by the embedded generator,
verified by the harness at odd sizes."""

from __future__ import annotations

import asyncio

import pytest
from kernelwright.agent.proposers.base import ProposalContext
from kernelwright.agent.proposers.embedded import EmbeddedProposer

from tests.helpers_problems import capture_many, verify_many

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
    "batch_norm_training_then_gelu": (
        "x",
        "F.gelu(self.norm(x))",
        "torch.randn(4, 5, 7, 3) * 4 + 2",
    ),
}


@pytest.mark.slow
def test_each_spelling_gets_a_kernel_that_verifies(tmp_path):
    paths = []
    for name, (arguments, expression, inputs) in CASES.items():
        path = tmp_path / f"{name}.py"
        path.write_text(_PROBLEM.format(arguments=arguments, expression=expression, inputs=inputs))
        paths.append(path)
    cases = []
    for path, graph in zip(paths, capture_many(paths), strict=True):
        context = ProposalContext(
            problem_path=str(path),
            problem_source=path.read_text(),
            graph=graph,
            device={"kind": "cpu"},
            parent=None,
            memory="clean_slate",
            memory_context=(),
            knowledge=(),
        )
        proposal = asyncio.run(EmbeddedProposer().propose(context))[0]
        assert "@triton.jit" in proposal.source, path.name
        cases.append((path, proposal.source))
    results = verify_many(cases)
    failed = {
        p.name: r["message"][:300]
        for (p, _), r in zip(cases, results, strict=True)
        if r["outcome"] != "ok"
    }
    assert failed == {}
