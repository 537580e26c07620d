"""Reductions over many short contiguous rows put several rows in one program.

The H200 flywheel's router sum (1M rows of 256: benchmarks/flywheel/row_sum_a.py)
ran at 0.52x eager with one row per program. These problems are written the way
model code writes such reductions (a router's total over experts, an RMS
statistic with keepdim, a logsumexp over classes, an argmax with ties, a max of
negative scores, a product, a reduction feeding a pointwise tail) and each is
verified through the real harness in the [ROWS, BLOCK_R] layout, at a row length
that is not a power of two.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers_problems import failures, graphs_for, verify_many, written_problems
from kernelwright.agent.generator import config_space, default_config, plan, render

TEMPLATE = """import torch
import torch.nn as nn

TOKENS = {rows}
EXPERTS = {cols}


class Model(nn.Module):
    def forward(self, Scores):
        return {expr}


def get_inputs():
    return [{make}]


def get_init_inputs():
    return []
"""

CASES = {
    "router_total": {"expr": "Scores.sum(dim=-1)", "make": "torch.randn(TOKENS, EXPERTS)"},
    "rms_stat": {
        "expr": "Scores.pow(2).mean(-1, keepdim=True)",
        "make": "torch.randn(TOKENS, EXPERTS) * 30",
    },
    "class_logsumexp": {
        "expr": "torch.logsumexp(Scores, dim=1)",
        "make": "torch.randn(TOKENS, EXPERTS) * 8",
    },
    "argmax_ties": {
        "expr": "torch.argmax(Scores, dim=-1)",
        "make": "torch.randint(0, 4, (TOKENS, EXPERTS)).float()",
    },
    "max_negative": {"expr": "Scores.amax(dim=-1)", "make": "-torch.rand(TOKENS, EXPERTS) - 1"},
    "row_product": {
        "expr": "torch.prod(Scores, dim=-1)",
        "make": "1 + 0.01 * torch.randn(TOKENS, EXPERTS)",
    },
    "sum_then_gelu": {
        "expr": "torch.nn.functional.gelu(Scores.sum(-1)) * 0.5",
        "make": "torch.randn(TOKENS, EXPERTS)",
    },
}


@pytest.fixture(scope="module")
def problems(tmp_path_factory):
    folder = tmp_path_factory.mktemp("short-rows")
    cases = {name: {**fields, "rows": 37, "cols": 96} for name, fields in CASES.items()}
    paths = written_problems(folder, TEMPLATE, cases)
    return dict(zip(CASES, zip(paths, graphs_for(paths))))


def test_every_op_verifies_with_several_rows_per_program(problems):
    cases = []
    for name, (path, graph) in problems.items():
        found = plan(graph)
        assert found is not None and found.family == "reduction", name
        rows_configs = [c for c in config_space(found) if c.get("ROWS", 1) > 1]
        assert rows_configs, name
        # 8 rows of 128 lanes: the last program holds 5 of the 37 rows
        config = next(c for c in rows_configs if c["ROWS"] == 8 and c["num_warps"] == 4)
        source = render(found, config)
        assert "ROWS=8" in source, name
        cases.append((path, source))
    assert failures(cases, verify_many(cases)) == []


def test_many_short_rows_start_several_to_a_program_on_a_gpu(problems):
    """The default packs rows where the grid stays at 4+ programs per SM; few rows
    keep one per program so every SM still gets work."""
    _, graph = problems["router_total"]
    found = plan(graph)
    h200 = {"kind": "cuda", "sm_count": 132}
    assert default_config(found, h200).get("ROWS", 1) == 1  # 37 rows: too few to pack
    # the same plan at the flywheel router's shape: 1M rows of 256, 8 to a program
    router = dataclasses.replace(found, in_shape=(1048576, 256))
    assert default_config(router, h200)["ROWS"] == 8
