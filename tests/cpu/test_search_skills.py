"""Skills close the loop: a skill written for this op class seeds the next search's first candidate."""

from __future__ import annotations

import asyncio
from pathlib import Path

from kernelwright.agent import proposer_registry
from kernelwright.agent.api import SearchConfig
from kernelwright.agent.search import run_search
from kernelwright.agent.tree import Node
from kernelwright.harness.evaluate import Harness, package_versions
from kernelwright.knowledge.skills import find_skills

from tests.helpers_problems import shrunk_problem

PROBLEM = Path(__file__).parents[2] / "benchmarks" / "problems" / "13_softmax_rows.py"


def _search(problem: str, tmp_path: Path, name: str, **overrides):
    settings = {"budget": 1, **overrides}
    config = SearchConfig(
        time_limit_s=300,
        device="cpu",
        parallel=1,
        store_path=str(tmp_path / f"{name}.sqlite"),
        out_dir=str(tmp_path / name),
        **settings,
    )
    return asyncio.run(run_search(problem, config))


def test_a_written_skill_warm_starts_the_next_search(tmp_path):
    problem = str(shrunk_problem(PROBLEM, tmp_path))
    cold = _search(problem, tmp_path, "cold")
    default_config = cold.best["config"]
    graph = asyncio.run(Harness().capture(problem))

    # A verified GPU win with a non-default configuration, as a search would write it.
    winner = dict(default_config)
    winner["num_warps"] = 16 if default_config.get("num_warps") != 16 else 2
    best = Node(
        id="n0007",
        parent=None,
        depth=1,
        proposer="embedded",
        move="num_warps → 16",
        memory="parent",
        source="# winner\n",
        config=winner,
        result={
            "outcome": "ok",
            "speedup": {"vs_eager": 2.5, "vs_compile": 1.2},
            "profile": {"bottleneck": "memory-bound"},
        },
    )
    runner_config = dict(default_config)
    runner_config["num_warps"] = 4 if default_config.get("num_warps") != 4 else 8
    runner = Node(
        id="n0003",
        parent=None,
        depth=1,
        proposer="embedded",
        move="num_warps",
        memory="parent",
        source="# runner-up\n",
        config=runner_config,
        result={"outcome": "ok", "speedup": {"vs_eager": 2.1}},
    )
    note = proposer_registry.write_skill(
        best, graph, {"kind": "cuda", "name": "NVIDIA H200"}, "problemhash", "search1", [runner]
    )
    assert note and note.startswith("skill written")
    (skill,) = find_skills(
        proposer_registry._problem_facts(graph)[0],
        "float32",
        "NVIDIA H200",
        graph["inputs"][0]["shape"],
    )
    assert skill.provenance["kernelwright_version"] == package_versions()["kernelwright"]
    # what the next reader needs: the change from the default, not the last move's name
    assert skill.change == (
        f"from the default config: num_warps {default_config['num_warps']}→{winner['num_warps']}"
    )

    warm = _search(problem, tmp_path, "warm", budget=3)
    first, second, third = sorted(warm.nodes, key=lambda n: n["id"])[:3]
    assert first["config"] == winner, first["move"]
    # a hint, not a replacement: the family's default is measured beside it
    assert second["config"] == default_config, second["move"]
    assert third["config"] == runner_config, third["move"]  # then the skill's runner-up
    assert any("warm start from 1 skill" in note for note in warm.notes)

    unskilled = _search(problem, tmp_path, "unskilled", use_skills=False)
    assert unskilled.nodes[0]["config"] == default_config


def test_a_checkout_that_is_not_installed_still_names_its_version(monkeypatch):
    """On a GPU machine that runs kernelwright from a checkout (scripts/device_env.sh),
    reports and skills said "absent"/"unknown"; they now carry the checkout's version."""
    import importlib.metadata

    from kernelwright.harness import evaluate

    real = importlib.metadata.version

    def not_installed(name):
        if name == "kernelwright":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(evaluate.importlib.metadata, "version", not_installed)
    import tomllib

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    version = tomllib.loads(pyproject.read_text())["project"]["version"]
    assert evaluate.package_versions()["kernelwright"] == f"{version} (checkout, not installed)"
