"""A skill is a hint, not a replacement (issue 22): a warm root measures the skill's
config beside the family's default and keeps the better; a skill that loses is
marked as not applying to that regime and is not offered there again.

The CPU has no speed to measure, so the harness's verdicts are faked here: every
candidate is "ok" at a speedup chosen by its config, as a GPU would time it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from kernelwright.agent.api import SearchConfig
from kernelwright.agent.generator import default_config, plan, render
from kernelwright.agent.search import run_search
from kernelwright.agent.warm_start import problem_shape, regime_facts, this_regime
from kernelwright.harness.evaluate import Harness
from kernelwright.harness.messages import EvalResult
from kernelwright.knowledge.skills import find_skills, write_skill

from tests.helpers_problems import shrunk_problem

PROBLEM = Path(__file__).parents[2] / "benchmarks" / "problems" / "13_softmax_rows.py"
H200 = {"kind": "cuda", "name": "NVIDIA H200"}
DEFAULT_SPEED, SKILL_SPEED, OTHER_SPEED = 1.30, 1.09, 1.05


@pytest.fixture
def problem(tmp_path):
    path = str(shrunk_problem(PROBLEM, tmp_path))
    return path, asyncio.run(Harness().capture(path))


def _faked_timings(monkeypatch, speeds: dict[str, float]) -> list[str]:
    """Harness.evaluate answers "ok" at speeds[source] (OTHER_SPEED for the rest)."""
    seen: list[str] = []

    async def timed(self, problem_path, candidate_source, device="auto", **_):
        seen.append(candidate_source)
        speed = speeds.get(candidate_source, OTHER_SPEED)
        return EvalResult(
            outcome="ok",
            message="faked timing",
            device="cuda",
            speedup={"vs_eager": speed, "vs_compile": None},
        )

    monkeypatch.setattr(Harness, "evaluate", timed)
    return seen


def _search(problem: str, tmp_path: Path, name: str, skills: Path, **overrides):
    config = SearchConfig(
        **{
            "budget": 3,
            "time_limit_s": 300,
            "device": "cpu",
            "parallel": 1,
            "store_path": str(tmp_path / f"{name}.sqlite"),
            "out_dir": str(tmp_path / name),
            "skills_dir": str(skills),
            **overrides,
        }
    )
    return asyncio.run(run_search(problem, config))


def _skill_from_other_shape(graph, skills: Path, config: dict, rows_scale: int = 8):
    """A verified skill learnt at `rows_scale` times this problem's rows: another
    shape bucket, the same side of every device threshold (the same regime)."""
    dtype, shape = problem_shape(graph)
    other = [shape[0] * rows_scale, *shape[1:]]
    other_graph = {**graph, "inputs": [{**graph["inputs"][0], "shape": other}]}
    best = {
        "outcome": "ok",
        "config": config,
        "move": "num_warps",
        "speedup": {"vs_eager": 1.82},
    }
    skill = write_skill(
        best,
        op_class="softmax",
        dtype=dtype,
        device=H200["name"],
        shape=other,
        problem_hash="problem-a",
        search_id="search-a",
        directory=skills,
        facts=regime_facts(other_graph, H200),
    )
    return skill, other


def test_a_skill_that_loses_to_the_default_is_kept_out_of_that_regime(
    problem, tmp_path, monkeypatch
):
    path, graph = problem
    planned = plan(graph)
    default = default_config(planned, {"kind": "cpu", "name": "cpu"})
    worse = {**default, "num_warps": 16 if default["num_warps"] != 16 else 4}
    skills = tmp_path / "skills"
    skill, its_shape = _skill_from_other_shape(graph, skills, worse)
    _faked_timings(
        monkeypatch,
        {render(planned, default): DEFAULT_SPEED, render(planned, worse): SKILL_SPEED},
    )

    report = _search(path, tmp_path, "warm", skills)
    first, second, third = sorted(report.nodes, key=lambda n: n["id"])
    # the skill's regime is this one, so its config leads; the default is measured beside it
    assert first["config"] == worse and second["config"] == default
    # the node's note says which skill and why it was picked
    assert first["move"].startswith(f"skill {skill.id} [same regime:")
    assert "rows per SM" in first["move"]
    # the search's best after two evaluations is the better of the two: the default
    assert report.best["config"] == default
    assert report.best["speedup"]["vs_eager"] == pytest.approx(DEFAULT_SPEED)
    # and its next root candidate grows from the default, not from the skill's config
    assert third["move"].startswith("from the default:")

    key = this_regime(graph, {"kind": "cpu", "name": "cpu"})
    lost = [n for n in report.notes if n.startswith(f"skill {skill.id} lost here")]
    assert lost and f"marked as not applying to {key}" in lost[0]
    assert "1.09× eager" in lost[0] and "1.30×" in lost[0]

    dtype, shape = problem_shape(graph)
    here = find_skills("softmax", dtype, "cpu", shape, directory=skills)
    # not offered here again (the skill found is the one this search wrote: the default)
    assert [s.config for s in here] == [default]
    # it still serves its own regime
    there = {s.id: s for s in find_skills("softmax", dtype, "cpu", its_shape, directory=skills)}
    again = there[skill.id]
    assert again.not_applying[0]["regime"] == key
    assert "Does not apply to" in Path(again.path).read_text(encoding="utf-8")

    # the next search of this problem starts from the default, without the lost skill
    rerun = _search(path, tmp_path, "rerun", skills, budget=1)
    assert rerun.nodes[0]["config"] == default
    assert not any(skill.id in n for n in rerun.notes)


def test_a_skill_that_wins_is_kept_and_leads_the_tree(problem, tmp_path, monkeypatch):
    path, graph = problem
    planned = plan(graph)
    default = default_config(planned, {"kind": "cpu", "name": "cpu"})
    better = {**default, "num_warps": 16 if default["num_warps"] != 16 else 4}
    skills = tmp_path / "skills"
    skill, _ = _skill_from_other_shape(graph, skills, better)
    _faked_timings(
        monkeypatch, {render(planned, default): DEFAULT_SPEED, render(planned, better): 1.8}
    )

    report = _search(path, tmp_path, "warm", skills)
    nodes = sorted(report.nodes, key=lambda n: n["id"])
    assert [n["config"] for n in nodes[:2]] == [better, default]
    assert report.best["config"] == better
    assert any(n.startswith(f"skill {skill.id} kept: 1.80× eager") for n in report.notes)
    assert nodes[2]["move"].startswith("from the best so far:")
    dtype, shape = problem_shape(graph)
    found = find_skills("softmax", dtype, "cpu", shape, directory=skills)
    assert skill.id in [s.id for s in found] and not found[0].not_applying


def test_a_regime_reads_rows_along_the_dims_the_op_reduces(tmp_path):
    """A mean over (H, W) is N*C rows of H*W, not N*C*H rows of W: the regime a skill
    is matched by is that of the rows the kernel walks (benchmarks/flywheel/spatial_mean_*)."""
    path = tmp_path / "spatial_mean.py"
    path.write_text(
        "import torch\nimport torch.nn as nn\n\n\nclass Model(nn.Module):\n"
        "    def forward(self, Features):\n        return torch.mean(Features, dim=(2, 3))\n\n\n"
        "def get_inputs():\n    return [torch.randn(2, 3, 9, 11)]\n\n\n"
        "def get_init_inputs():\n    return []\n"
    )
    graph = asyncio.run(Harness().capture(str(path)))
    facts = regime_facts(graph, H200)
    assert (facts.row, facts.rows, facts.inner) == (99, 6, 1)
    # a sum over dim 1 of [B, N, M]: B*M rows of N elements, M apart
    path.write_text(path.read_text().replace("dim=(2, 3)", "dim=1, keepdim=True"))
    strided = regime_facts(asyncio.run(Harness().capture(str(path))), H200)
    assert (strided.row, strided.rows, strided.inner) == (3, 2 * 9 * 11, 99)
    # a problem whose plan names no dims still reads its last dim as the row
    last_dim = regime_facts({"inputs": [{"shape": [4, 8, 16], "dtype": "float32"}]}, H200)
    assert (last_dim.row, last_dim.rows, last_dim.inner) == (16, 32, 1)
