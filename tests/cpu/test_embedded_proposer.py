"""The embedded proposer explores its whole space instead of repeating tried configs."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from kernelwright.agent.generator import config_space, default_config, plan
from kernelwright.agent.proposers.base import NodeSummary, ProposalContext, ProposerError
from kernelwright.agent.proposers.embedded import EmbeddedProposer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers_problems import graphs_for, shrunk_problem  # noqa: E402

PROBLEM = Path(__file__).resolve().parents[2] / "benchmarks" / "flywheel" / "layer_norm_a.py"
DEVICE = {"kind": "cuda", "name": "test", "sm_count": 132}


@pytest.fixture(scope="module")
def graph():
    return graphs_for([PROBLEM])[0]


def _ctx(graph, tried, parent=None, count=1, path=PROBLEM, **fields):
    return ProposalContext(
        problem_path=str(path),
        problem_source=path.read_text(),
        graph=graph,
        device=DEVICE,
        parent=parent,
        memory="parent",
        memory_context=(),
        knowledge=(),
        count=count,
        tried=tuple(tried),
        **fields,
    )


def _node(node_id, config):
    """An evaluated node as the proposer sees it."""
    return NodeSummary(
        id=node_id,
        source="",
        config=config,
        move="",
        outcome="ok",
        message="",
        speedup_vs_eager=None,
        profile=None,
        correctness=None,
    )


def test_a_child_gets_the_last_untried_config(graph):
    space = config_space(plan(graph))
    parent_config = default_config(plan(graph), DEVICE)
    untried = space[0]  # the smallest block with 4 warps: no single move from the default
    tried = [c for c in space if c != untried]
    proposals = EmbeddedProposer().propose_sync(_ctx(graph, tried, _node("n1", parent_config)))
    assert [p.config for p in proposals] == [untried]
    assert proposals[0].move.startswith("nearest untried config")


def test_nothing_left_is_a_proposer_error(graph):
    space = config_space(plan(graph))
    with pytest.raises(ProposerError, match="no new config"):
        EmbeddedProposer().propose_sync(_ctx(graph, space))


def test_the_root_skips_a_tried_default(graph):
    default = default_config(plan(graph), DEVICE)
    proposals = EmbeddedProposer().propose_sync(_ctx(graph, [default], count=3))
    assert len(proposals) == 3 and all(p.config != default for p in proposals)


def test_a_warm_start_tries_the_best_skill_and_the_default_then_the_other_skills(graph):
    """A skill is a hint: its winner is measured beside the family's default, so a
    skill from another regime cannot keep the default out of a short search."""
    space = config_space(plan(graph))
    default = default_config(plan(graph), DEVICE)
    others = [c for c in space if c != default]
    skills = (
        {
            "id": "skill-a",
            "config": others[0],
            "runners_up": [{"config": others[2]}, {"config": others[3]}],
        },
        {"id": "skill-b", "config": others[1], "runners_up": []},
    )
    ctx = dataclasses.replace(_ctx(graph, [], count=5), skills=skills)
    proposals = EmbeddedProposer().propose_sync(ctx)
    assert [p.config for p in proposals] == [others[0], default, others[1], others[2], others[3]]
    assert proposals[0].move.startswith("skill skill-a:")
    assert "default config" in proposals[1].move
    assert proposals[3].move.startswith("skill skill-a #2:")


def test_a_skill_from_another_regime_follows_what_a_cold_search_starts_with(graph):
    """Issue 22: a one-block config learnt on short rows sent a long-row search down
    the wrong path, and one put first cost the warm search its second evaluation. A
    skill whose regime differs is measured after the default and the default's first
    neighbour (a cold search's first two), and the node's move names it and why."""
    default = default_config(plan(graph), DEVICE)
    other = next(c for c in config_space(plan(graph)) if c != default)
    why = "another regime: a row takes several blocks here, a row fits one block in the skill's"
    skill = {
        "id": "skill-short-rows",
        "config": other,
        "match": {"score": 0.2, "same_regime": False, "why": why},
    }
    cold = EmbeddedProposer().propose_sync(_ctx(graph, [], count=3))
    ctx = dataclasses.replace(_ctx(graph, [], count=3), skills=(skill,))
    first, second, third = EmbeddedProposer().propose_sync(ctx)
    assert [first.config, second.config] == [cold[0].config, cold[1].config]
    assert first.config == default and "default config" in first.move
    assert second.move.startswith("from the default")
    assert third.config == other
    assert third.move.startswith(f"skill skill-short-rows [{why}]")

    same = {**skill, "match": {"score": 0.7, "same_regime": True, "why": "same regime: ..."}}
    ctx = dataclasses.replace(_ctx(graph, [], count=2), skills=(same,))
    assert [p.config for p in EmbeddedProposer().propose_sync(ctx)] == [other, default]


def test_root_neighbours_grow_from_the_best_measured_root_config(graph):
    default = default_config(plan(graph), DEVICE)
    other = next(c for c in config_space(plan(graph)) if c != default)
    ctx = _ctx(graph, [default, other], count=1, best_config=other)
    (proposal,) = EmbeddedProposer().propose_sync(ctx)
    assert proposal.move.startswith("from the best so far:")


@pytest.mark.parametrize("prefix, precision", [("25", "tf32x3"), ("33", None)])
def test_a_matmul_with_an_epilogue_measures_cublas_and_triton_tiles_first(prefix, precision):
    """The default keeps cuBLAS and fuses the chain after it; the next root candidate
    is the Triton tile kernel with the chain fused in (3xTF32 dots in fp32), so a
    search with time for two candidates has measured both implementations."""
    problems = Path(__file__).resolve().parents[2] / "benchmarks" / "problems"
    path = next(problems.glob(f"{prefix}_*.py"))
    found = graphs_for([path])[0]
    first, second = EmbeddedProposer().propose_sync(_ctx(found, [], count=2, path=path))
    assert first.config["impl"] == "torch"
    assert second.config["impl"] == "triton"
    assert second.config.get("PRECISION") == precision
    assert second.move.startswith("Triton tiles with the epilogue fused")


def test_the_fp32_matmul_space_leaves_out_tiles_that_cannot_compile():
    problems = Path(__file__).resolve().parents[2] / "benchmarks" / "problems"
    fp32, fp16 = graphs_for([next(problems.glob("24_*.py")), next(problems.glob("33_*.py"))])

    def widest(graph):
        return [
            c
            for c in config_space(plan(graph))
            if c.get("impl") == "triton"
            and (c["BLOCK_M"], c["BLOCK_N"], c["BLOCK_K"]) == (128, 256, 64)
        ]

    assert widest(fp32) == []
    assert widest(fp16)


def test_a_skill_from_another_shape_is_fitted_to_this_space(tmp_path):
    """A one-pass softmax skill for 32000 classes (BLOCK_R 32768, 8 warps) seeds a
    search over 10000 classes as the one-pass kernel with this row's block and the
    skill's warps; a skill config that would need more than two keys changed is
    dropped, so the default (16 warps) comes next."""
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "flywheel" / "softmax_a.py"
    found = graphs_for([shrunk_problem(path, tmp_path, {"TOKENS": 9, "VOCAB": 10000})])[0]
    skill_config = {"passes": "one", "BLOCK_R": 32768, "BLOCK_INNER": 1, "num_warps": 8}
    far = {"passes": "one", "BLOCK_R": 32768, "BLOCK_INNER": 8, "num_warps": 32, "SPLIT": 64}
    skills = ({"id": "skill-vocab", "config": skill_config, "runners_up": [{"config": far}]},)
    ctx = _ctx(found, [], count=2, path=path, skills=skills)
    first, second = EmbeddedProposer().propose_sync(ctx)
    assert first.config == {**skill_config, "BLOCK_R": 16384}
    assert first.move.endswith("(fitted to this shape: BLOCK_R 32768→16384)")
    assert second.config == default_config(plan(found), DEVICE)  # the far config was dropped


def test_crossover_takes_decisions_from_both_parents(graph):
    found = plan(graph)
    space = config_space(found, DEVICE)
    first = default_config(found, DEVICE)
    second = max(space, key=lambda c: sum(c[k] != first.get(k) for k in c))
    differing = sorted(k for k in first if first[k] != second.get(k))
    assert len(differing) >= 2

    ctx = dataclasses.replace(_ctx(graph, [first, second], _node("n1", first)), seed=7)
    [child] = EmbeddedProposer().crossover_sync(ctx, _node("n2", second))
    assert child.config in space and child.config not in (first, second)
    assert {child.config[k] for k in differing} & {first[k] for k in differing}
    assert {child.config[k] for k in differing} & {second[k] for k in differing}
    assert child.move.startswith("crossover of n1 and n2: ")
