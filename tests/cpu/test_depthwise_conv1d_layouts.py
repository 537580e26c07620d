"""A depthwise Conv1d between transposes is one kernel reading and writing in place.

benchmarks/corpus/166 mixes tokens as `gelu(conv1d(x.transpose(1, 2)).transpose(1, 2))`
over a [batch, seq, dim] x. It was planned as four stages (transpose, conv, transpose,
GELU; 0.73x eager on an H200, benchmarks/results/h200-2026-12-03-corpus-families-bench).
The transposes are layouts, not work: the direct depthwise kernel reads x through the
input view's strides and writes the output through the transposed view's, with the bias
and the activation fused, so the whole model is one kernel and no copy. Written other
ways here too (permute, movedim, dilation, stride, a channel multiplier, SiLU, Tanh, an
upper-case argument), each verified by the harness at two shapes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kernelwright.agent.generator import (
    config_space,
    default_config,
    partition,
    plan,
    render,
    render_program,
)
from kernelwright.agent.generator.choices import program_default

from tests.helpers_problems import (
    REPO,
    capture_many,
    failures,
    first_proposal,
    root_proposals,
    shrunk_problem,
    verify_many,
    written_problems,
)

CORPUS_166 = REPO / "benchmarks" / "corpus" / "166_transpose_conv1d_transpose.py"

_PROBLEM = """import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = {batch}
SEQ = {seq}
DIM = {dim}


class Model(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.mix = {conv}

    def forward(self, {arg}):
        return {expression}


def get_inputs():
    return [torch.randn(BATCH, SEQ, DIM)]


def get_init_inputs():
    return [DIM]
"""

# name -> (conv module, forward expression, forward's argument)
VARIANTS = {
    "permute_k5_dilation2_silu": (
        "nn.Conv1d(dim, dim, 5, padding=4, dilation=2, groups=dim)",
        "F.silu(self.mix(X.permute(0, 2, 1)).permute(0, 2, 1))",
        "X",
    ),
    "movedim_stride2_multiplier_tanh": (
        "nn.Conv1d(dim, 2 * dim, 3, stride=2, padding=1, groups=dim, bias=False)",
        "torch.tanh(self.mix(x.movedim(-1, 1)).transpose(-1, -2) * 0.5)",
        "x",
    ),
}
SHAPES = ({"batch": 2, "seq": 13, "dim": 5}, {"batch": 3, "seq": 8, "dim": 12})


@pytest.fixture(scope="module")
def captured(tmp_path_factory) -> list[tuple[Path, dict]]:
    paths = []
    for number, sizes in enumerate(SHAPES):
        folder = tmp_path_factory.mktemp(f"shape{number}")
        small = {"BATCH": sizes["batch"], "SEQ_LEN": sizes["seq"], "DIM": sizes["dim"]}
        paths.append(shrunk_problem(CORPUS_166, folder, small))
        fields = {
            name: {"conv": conv, "expression": expression, "arg": arg, **sizes}
            for name, (conv, expression, arg) in VARIANTS.items()
        }
        paths += written_problems(folder, _PROBLEM, fields)
    return list(zip(paths, capture_many(paths), strict=True))


def test_each_plans_as_one_direct_kernel_reading_and_writing_through_strides(captured):
    for path, graph in captured:
        found = plan(graph)
        assert found is not None and found.family == "conv", path
        assert found.attr("in_perm") == (0, 2, 1) and found.attr("out_perm") == (0, 2, 1)
        assert found.out_shape == tuple(graph["nodes"][-1]["shape"])  # [batch, seq', dim']
        config = default_config(found, {"kind": "cpu"})
        assert config["impl"] == "direct", path
        source = render(found, config)
        assert source.count("[grid](") == 1  # one kernel launch, and no copy of x
        assert "kw_lead = " in source  # the batch read at run time (leading.py)
        assert ".contiguous()" not in source.split("xv = ")[1].split("\n")[0]
        proposal = first_proposal(path, graph)
        assert (proposal.meta["family"], proposal.meta["op"]) == ("conv", "conv1d")


@pytest.mark.slow
def test_the_fused_kernel_verifies_at_two_shapes_in_each_layout_order(captured):
    """The default (lanes along channels here: x is channels-last), the direct kernel's
    other configs, an implicit-GEMM tile and the cuDNN path, all verified."""
    cases = []
    for path, graph in captured:
        found = plan(graph)
        assert found is not None, path
        space = config_space(found)
        picks = [default_config(found, {"kind": "cpu"})]
        picks += [c for c in space if c.get("impl") == "direct"][-1:]
        picks += [c for c in space if c.get("impl") == "triton"][:1]
        picks += [c for c in space if "impl" not in c][:1]  # cuDNN, its output laid out
        cases += [(path, render(found, config)) for config in picks]
    assert failures(cases, verify_many(cases)) == []


@pytest.mark.slow
def test_the_library_conv_stays_the_second_root_candidate(captured):
    """PyTorch's own convolution, the transposes kept as views, is still measured
    right after the fused kernel."""
    path, graph = captured[0]
    first, second = root_proposals(path, graph, 2)
    assert first.meta["family"] == "conv"
    assert second.config.get("library") == ["conv1d"], second.move
    assert "conv (PyTorch)" in second.move


@pytest.mark.slow
def test_a_conv_stage_reads_a_transposed_stage_in_place(tmp_path):
    """Inside a program (a LayerNorm before the mixing), the transposes are views between
    stages and the conv stage reads its input through the view's strides: no copy."""
    source = _PROBLEM.format(
        batch=2,
        seq=11,
        dim=6,
        conv="nn.Conv1d(dim, dim, 3, padding=1, groups=dim)",
        expression="F.gelu(self.mix(self.norm(x).transpose(1, 2)).transpose(1, 2))",
        arg="x",
    ).replace("        self.mix =", "        self.norm = nn.LayerNorm(dim)\n        self.mix =")
    path = tmp_path / "layernorm_then_mixing.py"
    path.write_text(source)
    (graph,) = capture_many([path])
    program = partition(graph)
    assert "conv (conv1d)" in program.op
    candidate = render_program(program, program_default(program, {"kind": "cpu"}))
    assert ".contiguous()  # transpose" not in candidate
    (verdict,) = verify_many([(path, candidate)])
    assert verdict["outcome"] == "ok", verdict["message"]
