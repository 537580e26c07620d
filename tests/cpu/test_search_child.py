"""The search process as the language server drives it: a real search on CPU, its
messages read as the server reads them. The report carries every candidate whole
(nothing is read back from the search's out folder), exactly as the results store
holds it, and a new run of the same problem leaves the last run's candidates there."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kernelwright.harness.store import Store
from kernelwright.server import search_messages as msg

from tests.helpers_problems import shrunk_problem

PROBLEMS = Path(__file__).parents[2] / "benchmarks" / "problems"

pytestmark = pytest.mark.slow


def _run_child(problem: str, tmp_path: Path, out: Path) -> list[msg.ChildMessage]:
    request = msg.SearchRequest(
        problem_path=problem,
        budget=2,
        time_limit_s=300.0,
        strategy="mcts",
        proposers=("embedded",),
        device="cpu",
        store_path=str(tmp_path / "store.sqlite"),
        out_dir=str(out),
    )
    # stdin stays open while it runs: its end means the server went away (cancel)
    child = subprocess.Popen(
        [sys.executable, "-m", "kernelwright.server.search_child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    child.stdin.write(request.to_json() + "\n")
    child.stdin.flush()
    messages: list[msg.ChildMessage] = []
    try:
        for line in child.stdout:  # the search's own limit (300 s) bounds this
            messages.append(msg.read_child_message(line))
            if not isinstance(messages[-1], msg.SearchProgress):
                break
        child.stdin.close()
        assert child.wait(timeout=60) == 0, child.stderr.read()[-3000:]
    finally:
        child.kill()
        child.wait()
    shutil.rmtree(out)  # whatever the report says, it says without this folder
    return messages


def test_the_report_carries_whole_candidates_as_the_store_holds_them(tmp_path):
    problem = str(shrunk_problem(sorted(PROBLEMS.glob("*softmax*.py"))[0], tmp_path))
    messages = _run_child(problem, tmp_path, tmp_path / "out")
    *events, report = messages
    assert all(isinstance(m, msg.SearchProgress) for m in events) and events
    assert isinstance(report, msg.SearchResult) and not report.cancelled
    assert report.search_id and report.evaluated == len(report.nodes) >= 1
    assert report.reference and report.reference["timing"]["median_ms"] > 0
    store = Store(str(tmp_path / "store.sqlite"))
    for node in report.nodes:
        assert node.outcome == "ok" and "class ModelNew" in (node.source or "")
        assert node.device == "cpu"
        stored = store.node(report.search_id, node.id)
        assert stored is not None and stored["source"] == node.source
        result = stored["result"]
        for key in ("outcome", "speedup", "timing", "baseline", "profile", "device"):
            assert getattr(node, key) == result[key], key
        assert node.profile is not None  # bytes and FLOPs, even where nothing was timed
    # progress events count; they do not ship every candidate's source
    assert all(e.node is None or e.node.source is None for e in events)

    # A second run of the same problem is a new run: the first one's nodes, which the
    # editor may still offer, stay in the store as they were.
    *_, again = _run_child(problem, tmp_path, tmp_path / "out")
    assert isinstance(again, msg.SearchResult) and again.search_id != report.search_id
    first = report.nodes[0]
    assert store.node(report.search_id, first.id)["source"] == first.source
