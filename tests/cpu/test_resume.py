"""`optimize --resume` after a `kill -9`, at several points of a search.

Before: a node in flight when the search was killed left a gap in the ids, every
later node got the same id, the budget was never reached and the tree could loop
(one resume grew to 24 GB). Now ids never repeat, the in-flight node is evaluated
again, the budget holds, the killed run's workers die with it and its status is
not left "running".
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from kernelwright.agent.tree import Node, Tree
from kernelwright.harness.processes import tree as process_tree

from tests.conftest import PROBLEMS

PROBLEM = PROBLEMS / "small_softmax.py"
BUDGET = 5


def _optimize(tmp_path: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "kernelwright.server.cli",
        "optimize",
        str(PROBLEM),
        "--device",
        "cpu",
        "--budget",
        str(BUDGET),
        "--parallel",
        "2",
        "--no-skills",
        "--store",
        str(tmp_path / "store.sqlite"),
        "--out",
        str(tmp_path / "out"),
        *extra,
    ]


def _nodes(store: Path) -> list[dict]:
    if not store.exists():
        return []
    try:
        with sqlite3.connect(store, timeout=5) as db:
            return [json.loads(r[0]) for r in db.execute("SELECT data FROM nodes")]
    except sqlite3.OperationalError:  # the schema is not there yet
        return []


def _status(store: Path) -> list[str]:
    with sqlite3.connect(store) as db:
        return [json.loads(r[0])["status"] for r in db.execute("SELECT data FROM searches")]


def _kill_when(tmp_path: Path, ready) -> tuple[int, list[int]]:
    """Starts a search, kills it with SIGKILL once `ready(nodes)`; returns its pid and its
    workers' pids."""
    proc = subprocess.Popen(
        _optimize(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    try:
        workers: list[int] = []
        # The node is stored just before its worker starts: wait for both.
        while not (ready(_nodes(tmp_path / "store.sqlite")) and workers):
            assert proc.poll() is None, "the search ended before the kill point"
            assert time.monotonic() < deadline, "the kill point never came"
            time.sleep(0.05)
            workers = [p for p in process_tree(proc.pid) if p != proc.pid]
        os.kill(proc.pid, signal.SIGKILL)  # the CLI alone, as the OOM killer would
    finally:
        proc.wait(30)
    return proc.pid, workers


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


def _in_flight(nodes: list[dict]) -> bool:
    return any(n["result"] is None for n in nodes)


def _one_done_one_in_flight(nodes: list[dict]) -> bool:
    return _in_flight(nodes) and any(n["result"] is not None for n in nodes)


@pytest.mark.slow
@pytest.mark.parametrize(
    "kill_point",
    [_in_flight, _one_done_one_in_flight],
    ids=["first-node-in-flight", "one-done-one-in-flight"],
)
def test_resume_after_kill_reaches_the_budget_with_unique_ids(tmp_path, kill_point):
    killed, workers = _kill_when(tmp_path, kill_point)
    assert workers, "a node was in flight, so a worker was running"
    time.sleep(2)
    assert _alive(workers) == [], "the killed search's workers outlived it"
    store = tmp_path / "store.sqlite"
    assert _status(store) == ["running"]  # the kill left no chance to say otherwise
    started = time.monotonic()
    done = subprocess.run(
        [*_optimize(tmp_path, "--resume", "--json")], capture_output=True, text=True, timeout=400
    )
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 400
    report = json.loads(done.stdout)
    assert report["evaluated"] == BUDGET
    ids = [n["id"] for n in report["nodes"]]
    assert len(ids) == len(set(ids)) == BUDGET
    assert any("stopped without finishing" in note for note in report["notes"])
    assert any("in flight evaluated again" in note for note in report["notes"])
    stored = _nodes(store)
    assert all(n["result"] is not None for n in stored)
    assert len({n["id"] for n in stored}) == len(stored) == BUDGET
    assert _status(store) == ["done"]
    # the killed run's sandbox folders, which it could not remove, were swept
    assert list(Path(tempfile.gettempdir()).glob(f"kw-sandbox-{killed}-*")) == []


def test_tree_refuses_repeated_ids_and_cycles():
    tree = Tree()
    tree.add(Node(id="n0001", parent=None, depth=1, proposer="p", move="m", memory="x"))
    with pytest.raises(ValueError, match="already in the tree"):
        tree.add(Node(id="n0001", parent=None, depth=1, proposer="p", move="m", memory="x"))
    with pytest.raises(ValueError, match="not in the tree"):
        tree.add(Node(id="n0002", parent="n0002", depth=2, proposer="p", move="m", memory="x"))
    tree.add(Node(id="n0005", parent="n0001", depth=2, proposer="p", move="m", memory="x"))
    assert tree.new_id() == "n0006"  # after the largest, not len + 1 (which would be n0003)
    assert tree.new_id() == "n0007"
