"""Faults that are the user's to see, not the candidate's: a damaged or unusable store,
bad option values, `--out` naming a file, and a closed pipe on stdout."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import CHEATS, PROBLEMS

PROBLEM, CANDIDATE = str(PROBLEMS / "small_softmax.py"), str(CHEATS / "ok_softmax.py")


def kw(*args: str, timeout: float = 300):
    return subprocess.run(
        [sys.executable, "-m", "kernelwright.server.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_damaged_store_is_moved_aside_and_rebuilt(tmp_path):
    store = tmp_path / "results.sqlite"
    store.write_bytes(b"SQLite format 3\x00" + b"\x13\x37garbage" * 4000)
    done = kw("eval", PROBLEM, CANDIDATE, "--device", "cpu", "--json", "--store", str(store))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outcome"] == "ok"
    assert "was damaged" in done.stderr and "moved aside" in done.stderr
    assert [p.name for p in tmp_path.glob("results.sqlite.corrupt-*")]
    again = kw("eval", PROBLEM, CANDIDATE, "--device", "cpu", "--json", "--store", str(store))
    assert json.loads(again.stdout)["cached"] is True and "damaged" not in again.stderr


def test_a_store_that_cannot_be_created_runs_in_memory(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    done = kw(
        "eval",
        PROBLEM,
        CANDIDATE,
        "--device",
        "cpu",
        "--json",
        "--store",
        str(blocker / "results.sqlite"),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outcome"] == "ok"
    assert "keeps its results in memory only" in done.stderr


@pytest.mark.parametrize(
    "args, says",
    [
        (["optimize", PROBLEM, "--budget", "-1"], "--budget: -1 must be at least 1"),
        (["optimize", PROBLEM, "--time-limit", "-5"], "--time-limit: -5 must be a positive"),
        (["optimize", PROBLEM, "--time-limit", "nan"], "--time-limit: nan must be a positive"),
        (["bench", str(PROBLEMS), "--concurrency", "0"], "--concurrency: 0 must be at least 1"),
        (["eval", PROBLEM, CANDIDATE, "--trials", "0"], "--trials: 0 must be at least 1"),
        (["eval", PROBLEM, CANDIDATE, "--import-timeout", "0"], "--import-timeout: 0 must be"),
        (["bench", str(PROBLEMS), "--filter", "("], "--filter '(' is not a regular expression"),
        (["serve", "--tcp", "localhost:99999"], "port 99999 is outside 1..65535"),
        (["kb", "search", "softmax", "--limit", "-1"], "--limit: -1 must be at least 1"),
        (["kb", "list", "--kb-dir", "/no/such/folder"], "--kb-dir /no/such/folder is not a folder"),
    ],
)
def test_bad_option_values_are_one_line_and_exit_2(args, says):
    done = kw(*args, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert says in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_out_naming_a_file_fails_before_any_work(tmp_path):
    out = tmp_path / "report.txt"
    out.write_text("mine")
    done = kw("optimize", PROBLEM, "--device", "cpu", "--out", str(out), timeout=60)
    assert done.returncode == 2 and "is a file, not a folder" in done.stderr
    assert out.read_text() == "mine"


def test_json_into_a_closed_pipe_exits_quietly(tmp_path):
    cli = subprocess.Popen(
        [sys.executable, "-m", "kernelwright.server.cli", "kb", "list", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    cli.stdout.close()  # `| head -c 0`: the reader is gone before the first byte
    _, stderr = cli.communicate(timeout=120)
    assert cli.returncode == 0, stderr
    assert b"BrokenPipeError" not in stderr and b"internal error" not in stderr


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap for a read-only mount")
def test_a_read_only_store_runs_without_it(tmp_path):
    """Root can write any file it owns, so the store's folder is made read-only by a
    mount, as on a machine whose cache lives on a read-only volume."""
    folder = tmp_path / "cache"
    folder.mkdir()
    store = folder / "results.sqlite"
    assert kw("eval", PROBLEM, CANDIDATE, "--device", "cpu", "--store", str(store)).returncode == 0
    before = store.read_bytes()
    done = subprocess.run(
        [
            "bwrap",
            "--bind",
            "/",
            "/",
            "--ro-bind",
            str(folder),
            str(folder),
            "--dev",
            "/dev",
            "--proc",
            "/proc",
            sys.executable,
            "-m",
            "kernelwright.server.cli",
            "eval",
            PROBLEM,
            CANDIDATE,
            "--device",
            "cpu",
            "--json",
            "--no-cache",
            "--store",
            str(store),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outcome"] == "ok"
    assert "cannot be written" in done.stderr and "in memory only" in done.stderr
    assert store.read_bytes() == before
