"""Both strategies end to end on small problems; outputs; --resume re-evaluates nothing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from kernelwright.agent.api import SearchConfig
from kernelwright.agent.search import run_search
from kernelwright.harness.evaluate import Harness

from tests.helpers_problems import shrunk_problem

PROBLEMS = Path(__file__).parents[2] / "benchmarks" / "problems"


def _problem(tmp_path: Path, stem: str) -> str:
    matches = sorted(PROBLEMS.glob(f"*{stem}*.py"))
    assert matches, f"no benchmark problem matching {stem}"
    return str(shrunk_problem(matches[0], tmp_path))


def _search(problem: str, tmp_path: Path, **overrides):
    config = SearchConfig(
        **{
            "budget": 3,
            "time_limit_s": 300,
            "device": "cpu",
            "store_path": str(tmp_path / "store.sqlite"),
            "out_dir": str(tmp_path / "out"),
            "parallel": 2,
            **overrides,
        }
    )
    events = []
    report = asyncio.run(run_search(problem, config, events.append))
    return report, events


@pytest.mark.parametrize("strategy, stem", [("mcts", "softmax"), ("evolve", "layer_norm")])
def test_strategy_returns_a_verified_best_and_its_outputs(tmp_path, strategy, stem):
    report, events = _search(_problem(tmp_path, stem), tmp_path, strategy=strategy)
    assert report.best is not None and report.best["outcome"] == "ok"
    assert 1 <= report.evaluated <= 3
    out = tmp_path / "out"
    best_source = (out / "best.py").read_text()
    assert "class ModelNew" in best_source and "@triton.jit" in best_source
    data = json.loads((out / "report.json").read_text())
    assert data["best"]["outcome"] == "ok" and data["evaluated"] == report.evaluated
    for node in data["nodes"]:
        assert {"id", "parent", "proposer", "memory", "outcome", "speedup"} <= set(node)
        # each node says where its evaluation's wall time went
        spent = node["seconds"]
        assert spent["total"] > 0 and spent["waiting"] >= 0
        assert spent["waiting"] + spent["shared"] + spent["exclusive"] <= spent["total"] + 0.01
        # ...and, inside the worker, which phase took it
        assert spent["phases"]["load"] > 0 and spent["phases"]["verify"] > 0
        assert sum(spent["phases"].values()) <= spent["total"]
    lines = [json.loads(x) for x in (out / "trajectories.jsonl").read_text().splitlines()]
    assert len(lines) == report.evaluated
    assert all({"context", "proposal", "result"} <= set(line) for line in lines)
    assert [e.kind for e in events][-1] == "finished"
    assert any(e.kind == "new_best" for e in events)
    # CPU: the interpreter gives no speed, and the report says so instead of inventing one
    assert report.best["speedup"] is None
    assert any("correctness only" in note for note in report.notes)


def test_resume_reevaluates_nothing(tmp_path, monkeypatch):
    problem = _problem(tmp_path, "softmax")
    first, _ = _search(problem, tmp_path, budget=2)
    calls = []
    original = Harness.evaluate

    async def counting(self, *args, **kwargs):
        calls.append(args)
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(Harness, "evaluate", counting)
    resumed, _ = _search(problem, tmp_path, budget=2, resume=True)
    assert calls == []
    assert [n["id"] for n in resumed.nodes] == [n["id"] for n in first.nodes]
    assert resumed.best["id"] == first.best["id"]
    assert any("resumed" in note and "none re-evaluated" in note for note in resumed.notes)


def test_missing_problem_is_bad_input(tmp_path):
    from kernelwright.harness.evaluate import BadInputError

    with pytest.raises(BadInputError):
        _search(str(tmp_path / "nope.py"), tmp_path)


def test_a_limit_passed_before_any_verdict_still_gives_one(tmp_path):
    """The limit passes while the reference is still being captured: the search
    runs one candidate to its verdict and says so, instead of reporting nothing."""
    report, _ = _search(_problem(tmp_path, "softmax"), tmp_path, time_limit_s=0.01, budget=3)
    assert report.evaluated == 1
    assert report.best is not None and report.best["outcome"] == "ok"
    assert any("the first ran to its verdict" in note for note in report.notes)


def test_a_proposer_that_writes_nothing_is_not_counted_as_an_evaluation_or_a_failure(tmp_path):
    """The progress a user sees: nothing generated reads `0/2 evaluated · 0 failed`, with
    the reason in the notes (not `2/2 evaluated · 4 failed`)."""
    problem = tmp_path / "inverse.py"
    problem.write_text(
        "import torch\nimport torch.nn as nn\n\n\n"
        "class Model(nn.Module):\n"
        "    def forward(self, A):\n"
        "        return torch.linalg.inv(A)\n\n\n"
        "def get_inputs():\n"
        "    return [torch.randn(4, 8, 8) + 8 * torch.eye(8)]\n\n\n"
        "def get_init_inputs():\n"
        "    return []\n"
    )
    report, events = _search(str(problem), tmp_path, budget=2, parallel=1)
    assert report.best is None and any("embedded:" in note for note in report.notes)
    assert report.evaluated == 0  # the report (and bench's evaluations a minute) agree
    assert events and all(e.evaluated == 0 and e.failed == 0 for e in events), [
        (e.kind, e.evaluated, e.failed) for e in events
    ]


def test_a_cpu_search_that_evaluated_nothing_in_time_says_why_and_what_to_do(tmp_path):
    """On CPU a problem at its real size (a 4 x 2048 x 4096 LlamaRMSNorm) ran out of time
    with no evaluation and only 'candidates were cancelled' to go on."""
    from kernelwright.agent.search import Search

    config = SearchConfig(device="cpu", out_dir=str(tmp_path / "out"))
    search = Search(str(PROBLEMS / "16_layer_norm.py"), config, None, None)
    search.device, search.reference = "cpu", {"memory": {"inputs": 128 << 20}}
    hint = search._interpreter_hint()
    assert "128 MiB" in hint and "--time-limit" in hint and "--device cuda" in hint
    search.device = "cuda"
    assert search._interpreter_hint() == ""
