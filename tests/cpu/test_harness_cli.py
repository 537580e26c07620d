"""The CLI as a user meets it: verdicts, exit codes, bad input, the results store."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from tests.conftest import CHEATS, PROBLEMS


def kw(*args, store=None):
    cmd = [sys.executable, "-m", "kernelwright.server.cli", *args]
    if store:
        cmd += ["--store", str(store)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def _eval_rows(store) -> int:
    if not store.exists():
        return 0
    with sqlite3.connect(store) as db:
        return db.execute("SELECT COUNT(*) FROM evals").fetchone()[0]


@pytest.mark.parametrize(
    "problem, candidate, reason",
    [
        ("missing.py", "ok_softmax.py", "problem file not found"),
        ("no_model.py", "ok_softmax.py", "defines no top-level `class Model`"),
        (
            "broken_inputs.py",
            "ok_softmax.py",
            "get_inputs() failed: RuntimeError: dataset not found",
        ),
        ("small_softmax.py", "no_modelnew.py", "defines no top-level `class ModelNew`"),
        ("small_softmax.py", "missing_candidate.py", "candidate file not found"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_stores_nothing(tmp_path, problem, candidate, reason):
    store = tmp_path / "store.sqlite"
    proc = kw(
        "eval",
        str(PROBLEMS / problem),
        str(CHEATS / candidate),
        "--device",
        "cpu",
        "--json",
        store=store,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0]
    assert _eval_rows(store) == 0


def test_usage_error_is_one_line_exit_2():
    proc = kw("eval", "only-one-arg")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1


def test_eval_json_then_answered_from_store_then_no_cache(tmp_path):
    store = tmp_path / "store.sqlite"
    args = (
        "eval",
        str(PROBLEMS / "small_softmax.py"),
        str(CHEATS / "ok_softmax.py"),
        "--device",
        "cpu",
        "--json",
    )
    first = kw(*args, store=store)
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    for field in (
        "outcome",
        "message",
        "device",
        "correctness",
        "timing",
        "baseline",
        "speedup",
        "profile",
        "flags",
    ):
        assert field in result
    assert result["outcome"] == "ok" and result["cached"] is False
    assert result["correctness"]["max_abs_error"] < 1e-4

    again = json.loads(kw(*args, store=store).stdout)
    assert again["cached"] is True and again["outcome"] == "ok"
    assert _eval_rows(store) == 1

    fresh = json.loads(kw(*args, "--no-cache", store=store).stdout)
    assert fresh["cached"] is False


def test_human_output_names_the_verdict(tmp_path):
    proc = kw(
        "eval",
        str(PROBLEMS / "small_softmax.py"),
        str(CHEATS / "wrong_scaled.py"),
        "--device",
        "cpu",
        store=tmp_path / "s.sqlite",
    )
    assert proc.returncode == 0  # the work was done; the verdict is in the output
    assert proc.stdout.startswith("wrong")
    assert "max abs error" in " ".join(proc.stdout.split())  # rich wraps to the terminal


def test_profile_reports_real_cpu_timing_and_bottleneck(tmp_path):
    proc = kw(
        "profile",
        str(PROBLEMS / "small_linear.py"),
        "--device",
        "cpu",
        "--json",
        store=tmp_path / "s.sqlite",
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    profile = result["profile"]
    assert result["timing"]["median_ms"] > 0
    assert profile["flops"] == 2 * 33 * 48 * 40  # the linear layer, by torch's flop counter
    # inputs + weight + bias + output, fp32
    assert profile["bytes"] == 4 * (33 * 48 + 40 * 48 + 40 + 33 * 40)
    assert profile["bottleneck"] in ("memory-bound", "compute-bound", "latency-bound")
    assert profile["peaks"]["copy_gbps"] > 0


def test_a_stored_timeout_is_not_served_again(tmp_path):
    """A timeout can be the machine's load: the store never answers with one."""
    store = tmp_path / "store.sqlite"
    problem, candidate = str(PROBLEMS / "small_softmax.py"), str(CHEATS / "ok_softmax.py")
    first = kw("eval", problem, candidate, "--device", "cpu", "--json", store=store)
    assert json.loads(first.stdout)["outcome"] == "ok"
    with sqlite3.connect(store) as db:  # as a loaded machine once stored it
        (text,) = db.execute("SELECT result FROM evals").fetchone()
        stale = {**json.loads(text), "outcome": "timeout", "message": "no verdict within 180 s"}
        db.execute("UPDATE evals SET result = ?, outcome = 'timeout'", (json.dumps(stale),))
    again = json.loads(
        kw("eval", problem, candidate, "--device", "cpu", "--json", store=store).stdout
    )
    assert again["outcome"] == "ok" and again["cached"] is False
