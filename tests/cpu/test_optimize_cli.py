"""`kernelwright optimize` as the README runs it: rows, the best, the files written;
bad input exits 2 with one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers_problems import shrunk_problem

SOFTMAX = Path(__file__).parents[2] / "benchmarks" / "problems" / "13_softmax_rows.py"


def optimize(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"), COLUMNS="200")
    env.pop("ANTHROPIC_API_KEY", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kernelwright.server.cli",
            "optimize",
            *args,
            "--device",
            "cpu",
            "--store",
            str(tmp_path / "store.sqlite"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


def test_optimize_prints_each_verdict_and_writes_the_best(tmp_path):
    problem = shrunk_problem(SOFTMAX, tmp_path)
    out = tmp_path / "out"
    proc = optimize(tmp_path, str(problem), "--budget", "2", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout + proc.stderr
    rows = [line for line in text.splitlines() if line.startswith("  n000")]
    assert len(rows) == 2 and all(" ok " in row for row in rows), text
    # the default's move is longer than its column: cut, it says so ("BLOCK_R=102"
    # once read as a value)
    (default_row,) = [row for row in rows if "default config:" in row]
    assert default_row.endswith("…"), default_row
    assert "best n000" in text and "written:" in text
    report = json.loads((out / "report.json").read_text())
    assert report["best"]["outcome"] == "ok"
    assert "class ModelNew" in (out / "best.py").read_text()


def test_optimize_on_a_missing_problem_exits_2_with_one_line(tmp_path):
    proc = optimize(tmp_path, str(tmp_path / "nope.py"), "--budget", "1")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "nope.py" in proc.stderr
