"""Config spaces, rendering of every config, search moves, unsupported graphs, the proposer."""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers_problems import graphs_for, shrunk_all
from kernelwright.agent.generator import (
    FAMILIES,
    config_space,
    crossover,
    default_config,
    mutate,
    plan,
    plan_or_reason,
    render,
)
from kernelwright.agent.proposers.base import NodeSummary, ProposalContext, ProposerError
from kernelwright.agent.proposers.embedded import EmbeddedProposer


@pytest.fixture(scope="module")
def graphs():
    paths = shrunk_all()
    names = sorted(paths)
    return dict(zip(names, graphs_for([paths[n] for n in names])))


@pytest.fixture(scope="module")
def plans(graphs):
    return {name: plan(graph) for name, graph in graphs.items()}


def test_every_family_has_a_problem(plans):
    assert {p.family for p in plans.values() if p is not None} == set(FAMILIES)


def test_every_config_in_every_space_renders_valid_python(plans):
    for name, found in plans.items():
        space = config_space(found)
        assert space, name
        assert default_config(found, {"kind": "cuda", "sm_count": 132}) in space, name
        assert default_config(found, {"kind": "cpu"}) in space, name
        for config in space:
            source = render(found, config)
            compile(source, f"{name}-{config}", "exec")
            assert "class ModelNew(nn.Module)" in source and "@triton.jit" in source
            assert "try:" not in source and "threading" not in source
            if found.dtype == "float32" and "tl.dot(" in source:
                # fp32 problems must never fall back to TF32
                assert source.count("tl.dot(") == (
                    source.count('input_precision="ieee"')
                    + source.count('input_precision="tf32x3"')
                ), name


def test_candidate_keeps_constructor_signature_and_state_dict_names(plans):
    source = render(
        plans["25_linear_gelu_scale.py"], default_config(plans["25_linear_gelu_scale.py"], {})
    )
    assert "def __init__(self, in_features, out_features, scale):" in source
    assert "_attach(self, 'linear.weight'" in source and "_attach(self, 'linear.bias'" in source


def test_rendering_is_deterministic(plans):
    found = plans["13_softmax_rows.py"]
    config = default_config(found, {"kind": "cpu"})
    assert render(found, config) == render(found, dict(config))


def test_mutate_and_crossover_are_deterministic_and_stay_in_space(plans):
    for name in (
        "24_matmul_square.py",
        "04_sum_dim1_keepdim.py",
        "30_sdpa.py",
        "14_log_softmax_long_rows.py",
    ):
        found = plans[name]
        space = config_space(found)
        start = default_config(found, {"kind": "cuda"})
        runs = []
        for _ in range(2):
            rng, config, moves = random.Random(7), start, []
            for _ in range(10):
                config, move = mutate(found, config, rng)
                assert config in space
                moves.append((tuple(sorted(config.items())), move))
            runs.append(moves)
        assert runs[0] == runs[1]
        assert any("→" in move for _, move in runs[0])
        a, b = space[0], space[-1]
        children = [crossover(found, a, b, random.Random(3)) for _ in range(2)]
        assert children[0] == children[1] and children[0] in space


def test_mutation_names_the_change(plans):
    found = plans["01_relu_gelu_chain.py"]
    config = {"BLOCK": 1024, "num_warps": 4}
    child, move = mutate(found, config, random.Random(0))
    changed = [k for k in config if child[k] != config[k]]
    assert len(changed) == 1
    assert move == f"{changed[0]} {config[changed[0]]}→{child[changed[0]]}"


def _graph(nodes, outputs, inputs=(("x", [4, 5]),)):
    return {
        "capture": "export",
        "model": {"init_params": []},
        "inputs": [{"name": n, "shape": s, "dtype": "float32"} for n, s in inputs],
        "params": [],
        "nodes": nodes,
        "outputs": outputs,
    }


def test_unsupported_graphs_have_no_plan():
    sort = _graph(
        [
            {
                "name": "sort",
                "op": "aten.sort",
                "args": [{"ref": "x"}],
                "kwargs": {},
                "shape": [4, 5],
                "dtype": "float32",
            }
        ],
        ["sort"],
    )
    assert plan(sort) is None
    assert "sort" in plan_or_reason(sort)[1]
    two_outputs = _graph(
        [
            {
                "name": "relu",
                "op": "aten.relu",
                "args": [{"ref": "x"}],
                "kwargs": {},
                "shape": [4, 5],
                "dtype": "float32",
            }
        ],
        ["relu", "relu"],
    )
    assert plan(two_outputs) is None
    assert (
        plan(
            {
                "capture": None,
                "nodes": [],
                "outputs": [],
                "inputs": [],
                "params": [],
                "unsupported": "export failed; fx failed",
            }
        )
        is None
    )
    training_bn = _graph(
        [
            {
                "name": "bn",
                "op": "aten.batch_norm",
                "args": [{"ref": "x"}, None, None, None, None, True, 0.1, 1e-5, False],
                "kwargs": {},
                "shape": [4, 5],
                "dtype": "float32",
            }
        ],
        ["bn"],
    )
    assert plan(training_bn) is None


def test_pointwise_graph_written_by_hand_plans_and_broadcasts():
    graph = _graph(
        [
            {
                "name": "add",
                "op": "aten.add.Tensor",
                "args": [{"ref": "x"}, {"ref": "b"}],
                "kwargs": {},
                "shape": [4, 5],
                "dtype": "float32",
            },
            {
                "name": "relu",
                "op": "aten.relu",
                "args": [{"ref": "add"}],
                "kwargs": {},
                "shape": [4, 5],
                "dtype": "float32",
            },
        ],
        ["relu"],
        inputs=(("x", [4, 5]), ("b", [5])),
    )
    found = plan(graph)
    assert found.family == "pointwise"
    modes = sorted((o.name, o.mode, o.count, o.inner) for o in found.operands)
    assert modes == [("b", "slice", 5, 1), ("x", "full", 20, 1)]


def _context(graph, **changes):
    base = {
        "problem_path": "p.py",
        "problem_source": "",
        "graph": graph,
        "device": {"kind": "cpu"},
        "parent": None,
        "memory": "clean_slate",
        "memory_context": (),
        "knowledge": (),
        "count": 3,
        "seed": 5,
    }
    base.update(changes)
    return ProposalContext(**base)


def test_proposer_root_child_skills_and_errors(plans):
    paths = shrunk_all()
    graph = graphs_for([paths["24_matmul_square.py"]])[0]
    proposer = EmbeddedProposer()
    root = asyncio.run(proposer.propose(_context(graph)))
    assert len(root) == 3
    assert root[0].config == default_config(plans["24_matmul_square.py"], {"kind": "cpu"})
    assert len({tuple(sorted(p.config.items())) for p in root}) == 3
    skill_config = config_space(plans["24_matmul_square.py"])[5]
    with_skill = asyncio.run(
        proposer.propose(_context(graph, skills=({"name": "s", "config": skill_config},)))
    )
    assert with_skill[0].config == skill_config and with_skill[0].move.startswith("skill")
    parent = NodeSummary(
        id="n1",
        source=root[0].source,
        config=root[0].config,
        move="",
        outcome="ok",
        message="",
        speedup_vs_eager=None,
        profile=None,
        correctness=None,
    )
    children = asyncio.run(proposer.propose(_context(graph, parent=parent)))
    again = asyncio.run(proposer.propose(_context(graph, parent=parent)))
    assert [c.config for c in children] == [c.config for c in again]
    assert all("→" in c.move and c.config != parent.config for c in children)
    with pytest.raises(ProposerError, match="`sort` has no Triton template here"):
        asyncio.run(
            proposer.propose(
                _context(
                    _graph(
                        [
                            {
                                "name": "sort",
                                "op": "aten.sort",
                                "args": [{"ref": "x"}],
                                "kwargs": {},
                                "shape": [4, 5],
                                "dtype": "float32",
                            }
                        ],
                        ["sort"],
                    )
                )
            )
        )
    with pytest.raises(ProposerError):
        asyncio.run(proposer.propose(_context(None)))


@pytest.mark.parametrize("name", ["25_linear_gelu_scale.py", "33_linear_fp16_relu.py"])
def test_a_matmul_with_an_epilogue_starts_from_cublas_plus_one_fused_kernel(plans, name):
    """The first candidate must not bet on Triton tiles against cuBLAS (H200: 0.64× in fp16)."""
    first = default_config(plans[name], {"kind": "cuda", "sm_count": 132})
    assert first["impl"] == "torch"
    # ...while the search can still reach the Triton tiles
    assert any(c["impl"] == "triton" for c in config_space(plans[name]))


def test_a_bare_matmul_starts_from_triton_tiles(plans):
    """No epilogue to fuse: cuBLAS alone would be the reference itself."""
    assert default_config(plans["24_matmul_square.py"], {"kind": "cuda"})["impl"] == "triton"


@pytest.mark.parametrize("name", ["24_matmul_square.py", "30_sdpa.py", "32_explicit_attention.py"])
def test_fp32_dots_start_on_3xtf32_and_the_search_can_take_ieee(plans, name):
    found = plans[name]
    first = default_config(found, {"kind": "cuda", "sm_count": 132})
    assert first["PRECISION"] == "tf32x3"
    assert 'input_precision="tf32x3"' in render(found, first)
    ieee = [c for c in config_space(found) if c.get("PRECISION") == "ieee"]
    assert ieee and 'input_precision="ieee"' in render(found, ieee[0])


_BARE_CONV = """import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv2d = nn.Conv2d(in_channels, out_channels, (3, 5), padding=(1, 2), bias=False)

    def forward(self, X):
        return self.conv2d(X)


def get_inputs():
    return [torch.randn(2, 8, 13, 11)]


def get_init_inputs():
    return [8, 24]
"""


def test_a_convolution_whose_reference_computes_in_tf32_starts_on_tf32(tmp_path, plans):
    """cuDNN runs fp32 convolutions in TF32 under PyTorch's defaults; the search's device
    says so (`tf32_products`, from the reference's profile), and the Triton convolution
    then starts on plain TF32 with 3xTF32 right after it. Without it: never TF32."""
    path = tmp_path / "bare_conv.py"
    path.write_text(_BARE_CONV)
    [graph] = graphs_for([path])
    found = plan(graph)
    tf32_device = {"kind": "cuda", "sm_count": 132, "tf32_products": True}
    first = default_config(found, tf32_device)
    assert first["impl"] == "triton" and first["PRECISION"] == "tf32"
    assert first in config_space(found, tf32_device)  # the search can mutate from it
    assert (first["BLOCK_N"], first["BLOCK_K"]) == (64, 64)  # 24 channels: the H200 sweep's tile
    assert 'input_precision="tf32"' in render(found, first)
    context = ProposalContext(
        problem_path=str(path),
        problem_source=_BARE_CONV,
        graph=graph,
        device=tf32_device,
        parent=None,
        memory="clean_slate",
        memory_context=(),
        knowledge=(),
        count=2,
        tried=(),
    )
    one, two = EmbeddedProposer().propose_sync(context)
    assert (one.config["PRECISION"], two.config["PRECISION"]) == ("tf32", "tf32x3")
    plain = {"kind": "cuda", "sm_count": 132}
    assert default_config(found, plain)["PRECISION"] == "tf32x3"
    for name in (path.name, "28_conv2d_relu_scale.py", "24_matmul_square.py"):
        space = config_space(found if name == path.name else plans[name], plain)
        assert all(c.get("PRECISION") != "tf32" for c in space), name


def test_half_precision_dots_have_no_precision_axis(plans):
    assert all("PRECISION" not in c for c in config_space(plans["33_linear_fp16_relu.py"]))


def test_cross_entropy_packs_rows_per_program_but_keeps_the_sms_busy():
    from kernelwright.agent.generator.templates.loss import cross_entropy_rows

    assert cross_entropy_rows(32768, 1000, 132) == 4  # the bench's problem 22
    assert cross_entropy_rows(32768, 50257, 132) == 1  # long rows: one per program
    assert cross_entropy_rows(600, 1000, 132) == 1  # few rows: every SM gets programs


def test_the_root_proposes_the_defaults_ieee_twin_right_after_3xtf32(plans, graphs):
    found = plans["24_matmul_square.py"]
    graph = graphs["24_matmul_square.py"]
    ctx = ProposalContext(
        problem_path="p.py",
        problem_source="",
        graph=graph,
        device={"kind": "cuda", "sm_count": 132},
        parent=None,
        memory="clean_slate",
        memory_context=(),
        knowledge=(),
        count=2,
        tried=(),
    )
    first, second = EmbeddedProposer().propose_sync(ctx)
    assert first.config["PRECISION"] == "tf32x3" and second.config["PRECISION"] == "ieee"
    assert {k: v for k, v in first.config.items() if k != "PRECISION"} == {
        k: v for k, v in second.config.items() if k != "PRECISION"
    }
    assert second.config in config_space(found)


def _mse_graph(reduction_op: str, rows: int, cols: int):
    """torch.<reduction>((predictions - targets) ** 2) over every element, as KernelBench's
    MSE loss writes its mean."""
    shape = [rows, cols]
    return _graph(
        [
            {
                "name": "sub",
                "op": "aten.sub.Tensor",
                "args": [{"ref": "predictions"}, {"ref": "targets"}],
                "kwargs": {},
                "shape": shape,
                "dtype": "float32",
            },
            {
                "name": "pow_1",
                "op": "aten.pow.Tensor_Scalar",
                "args": [{"ref": "sub"}, 2],
                "kwargs": {},
                "shape": shape,
                "dtype": "float32",
            },
            {
                "name": "out",
                "op": reduction_op,
                "args": [{"ref": "pow_1"}],
                "kwargs": {},
                "shape": [],
                "dtype": "float32",
            },
        ],
        ["out"],
        inputs=(("predictions", shape), ("targets", shape)),
    )


def test_no_config_adds_more_terms_a_lane_than_float32_can_count():
    """KernelBench's MSE at its size (16384 x 32768, a 2^29-term mean): one program of
    16-row tiles added 2^25 terms a lane, past float32's 2^24, and an H200 search's such
    candidate was `wrong`. Every config of a rounding sum's space now keeps a lane's
    terms within MOST_TERMS_A_LANE, its default too; an exact max keeps them all."""
    from kernelwright.agent.generator.templates.reduction import MOST_TERMS_A_LANE, terms_a_lane

    device = {"name": "NVIDIA H200", "kind": "cuda"}
    for op in ("aten.mean", "aten.sum"):
        found = plan(_mse_graph(op, 16384, 32768))
        space = config_space(found, device)
        assert space and all(terms_a_lane(1 << 29, c) <= MOST_TERMS_A_LANE for c in space)
        assert {"BLOCK_R": 16, "BLOCK_INNER": 1, "num_warps": 4, "SPLIT": 1} not in space
        assert default_config(found, device) in space
    exact = config_space(plan(_mse_graph("aten.amax", 16384, 32768)), device)
    assert {"BLOCK_R": 16, "BLOCK_INNER": 1, "num_warps": 4, "SPLIT": 1} in exact
    # a small problem keeps its whole space
    small = config_space(plan(_mse_graph("aten.mean", 3, 41)), device)
    assert {"BLOCK_R": 16, "BLOCK_INNER": 1, "num_warps": 4, "SPLIT": 1} in small


def test_a_strided_tile_fitted_to_contiguous_rows_keeps_its_size():
    """A sum over dim 1's skill (64 x 128 tiles) fitted to a logsumexp over the last dim
    of 8192 x 8191 (KernelBench's size): snapped key by key it became a 64 x 1 tile, ten
    times slower than the default on an H200. It keeps about its 8192 elements now."""
    from kernelwright.agent.generator import fit_config

    logsumexp = _graph(
        [
            {
                "name": "lse",
                "op": "aten.logsumexp",
                "args": [{"ref": "x"}, [1], True],
                "kwargs": {},
                "shape": [8192, 1],
                "dtype": "float32",
            }
        ],
        ["lse"],
        inputs=(("x", [8192, 8191]),),
    )
    found, device = plan(logsumexp), {"name": "NVIDIA H200", "kind": "cuda"}
    strided = {"BLOCK_R": 64, "BLOCK_INNER": 128, "num_warps": 8, "SPLIT": 1}
    fitted = fit_config(found, strided, device)
    assert fitted in config_space(found, device)
    assert fitted["BLOCK_INNER"] == 1 and 4096 <= fitted["BLOCK_R"] <= 8192
    assert fitted["num_warps"] == 8
    # a config whose tile this space has is its own fit
    own = {"BLOCK_R": 1024, "BLOCK_INNER": 1, "num_warps": 4, "SPLIT": 1}
    assert fit_config(found, own, device) == own
