"""`--executor ray` through the real CLI: `bench` on Ray gives the local executor's
verdicts (CPU, a local Ray instance the command starts itself), and an address where no
cluster listens is one sentence and exit 2, never a traceback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers_problems import problem_files, shrunk_problem

pytest.importorskip("ray")


def kernelwright(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"))
    env.pop("ANTHROPIC_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "kernelwright.server.cli", *args],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # free again once closed: nothing listens there


@pytest.mark.parametrize("command", ["bench", "optimize"])
def test_an_unreachable_ray_address_is_one_sentence_and_exit_2(tmp_path, command):
    target = str(
        Path(__file__).parents[1] / "problems" / ("" if command == "bench" else "relu_rand.py")
    )
    address = f"127.0.0.1:{_closed_port()}"
    done = kernelwright(
        tmp_path,
        command,
        target,
        "--executor",
        "ray",
        "--ray-address",
        address,
        "--device",
        "cpu",
        "--store",
        str(tmp_path / "s.sqlite"),
        "--out",
        str(tmp_path / "out"),
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"kernelwright: cannot reach a Ray cluster at {address} "), line


@pytest.mark.slow
def test_bench_on_ray_gives_the_local_executors_verdicts(tmp_path):
    folder = tmp_path / "problems"
    folder.mkdir()
    for path in problem_files():
        if path.name.startswith(("01_", "17_")):
            shrunk_problem(path, folder)
    rows = {}
    for executor in ("local", "ray"):
        out = tmp_path / executor
        done = kernelwright(
            tmp_path,
            "bench",
            str(folder),
            "--executor",
            executor,
            "--device",
            "cpu",
            "--budget",
            "1",
            "--time-limit",
            "120",
            "--out",
            str(out),
            "--store",
            str(tmp_path / f"{executor}.sqlite"),  # a store each: no verdict served from the other
        )
        assert done.returncode == 0, done.stderr[-2000:]
        data = json.loads((out / "bench.json").read_text())
        rows[executor] = [
            (r["problem"], r["verified"], r["evaluated"], r["vs_eager"], r["error"])
            for r in data["rows"]
        ]
        if executor == "ray":
            assert "--executor ray" in data["meta"]["command"]
    assert rows["ray"] == rows["local"]
    assert [r[1] for r in rows["ray"]] == [True, True]  # both verified, untimed on CPU
