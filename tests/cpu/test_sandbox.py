"""Hostile candidates and problems, run through the CLI as a user would.

Each candidate in tests/hostile/ is a correct softmax kernel plus an attack on
the user: read the API key, write outside its folder, patch the harness, talk
to a local server, leave processes behind, read ~/.ssh. With the sandbox
(harness/sandbox.py) every attack fails and the user sees the kernel's own
verdict; no secret reaches the output or the store.
"""

from __future__ import annotations

import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from kernelwright.harness import sandbox

from tests.conftest import PROBLEMS, TESTS

HOSTILE = TESTS / "hostile"
PROBLEM = PROBLEMS / "small_softmax.py"
SECRET = "sk-ant-api03-kwTESTsecretVALUE0123456789abcdef"
MODES = [m for m in ("bubblewrap", "unshare") if sandbox.detect(m).mode == m]
needs_sandbox = pytest.mark.skipif(not MODES, reason="no sandbox works on this machine")


def _filled(text: str, fill: dict[str, object]) -> str:
    for key, value in fill.items():
        text = text.replace(f"__{key}__", str(value))
    return text


def _candidate(name: str, tmp_path: Path, **fill: object) -> Path:
    """A correct kernel (tests/cheats/ok_softmax.py), then the attack."""
    text = (TESTS / "cheats" / "ok_softmax.py").read_text() + "\n" + (HOSTILE / name).read_text()
    path = tmp_path / name
    path.write_text(_filled(text, fill))
    return path


def _problem(name: str, tmp_path: Path, **fill: object) -> Path:
    """The attack at import, then an honest problem (tests/problems/small_softmax.py)."""
    text = (HOSTILE / name).read_text() + "\n" + PROBLEM.read_text()
    path = tmp_path / name
    path.write_text(_filled(text, fill))
    return path


def _kw(*args: str, env: dict[str, str] | None = None, timeout: float = 300):
    return subprocess.run(
        [sys.executable, "-m", "kernelwright.server.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def _eval(problem: Path, candidate: Path, store: Path, mode: str, **env: str):
    done = _kw(
        "eval",
        str(problem),
        str(candidate),
        "--device",
        "cpu",
        "--json",
        "--no-cache",
        "--store",
        str(store),
        env={"KERNELWRIGHT_SANDBOX": mode, **env},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done


def _sleepers(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv[:2] == [b"sleep", marker.encode()]:
            found.append(int(entry.name))
    return found


class _Listener:
    """A TCP server on this machine that records every connection it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    self.accepted.append(conn.recv(100))
                except OSError:
                    self.accepted.append(b"")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


@pytest.fixture
def home(tmp_path):
    """A user's $HOME with an SSH key in it."""
    folder = tmp_path / "home"
    (folder / ".ssh").mkdir(parents=True)
    (folder / ".ssh" / "id_rsa").write_text(
        "-----BEGIN OPENSSH PRIVATE KEY-----\nkwTESTprivatekey\n-----END OPENSSH PRIVATE KEY-----\n"
    )
    return folder


@needs_sandbox
@pytest.mark.parametrize("mode", MODES)
def test_key_never_reaches_the_candidate(tmp_path, mode):
    target = tmp_path / "leaked.json"
    result, done = _eval(
        PROBLEM,
        _candidate("env_key_to_file.py", tmp_path, TARGET=target),
        tmp_path / "store.sqlite",
        mode,
        ANTHROPIC_API_KEY=SECRET,
    )
    assert result["outcome"] == "ok", result["message"]
    assert not target.exists()
    assert result["sandbox"]["mode"] == mode and result["sandbox"]["active"]


def test_environment_is_an_allowlist(tmp_path):
    env = sandbox.worker_environment(
        tmp_path,
        {
            "ANTHROPIC_API_KEY": SECRET,
            "GITHUB_TOKEN": "ghp_x",
            "AWS_SECRET_ACCESS_KEY": "x",
            "CUDA_VISIBLE_DEVICES": "0",
            "TRITON_AUTH_TOKEN": "x",
            "PATH": "/usr/bin",
            "HOME": "/root",
            "SSH_AUTH_SOCK": "/run/agent",
            "OPENBLAS_CORETYPE": "Haswell",
        },
    )
    assert env["CUDA_VISIBLE_DEVICES"] == "0" and env["PATH"] == "/usr/bin"
    assert env["OPENBLAS_CORETYPE"] == "Haswell"
    assert env["HOME"] == str(tmp_path / "home") and env["TMPDIR"] == str(tmp_path / "tmp")
    for name in (
        "ANTHROPIC_API_KEY",
        "GITHUB_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "TRITON_AUTH_TOKEN",
        "SSH_AUTH_SOCK",
    ):
        assert name not in env
    assert SECRET not in json.dumps(env)


@needs_sandbox
def test_a_key_in_an_error_is_redacted_everywhere(tmp_path):
    """The candidate got hold of the key somehow and raises it: the user sees the error
    with the key redacted, in text and JSON output and in the results store."""
    store = tmp_path / "store.sqlite"
    candidate = _candidate("key_in_error.py", tmp_path, SECRET=SECRET)
    result, done = _eval(PROBLEM, candidate, store, MODES[0], ANTHROPIC_API_KEY=SECRET)
    assert result["outcome"] == "compile_error"
    assert result["message"] == "RuntimeError importing the candidate: leaked (redacted) here"
    assert SECRET not in done.stdout + done.stderr
    text = _kw(
        "eval",
        str(PROBLEM),
        str(candidate),
        "--device",
        "cpu",
        "--store",
        str(store),
        env={"ANTHROPIC_API_KEY": SECRET},
    )
    assert "compile_error" in text.stdout and "(redacted)" in text.stdout
    assert SECRET not in text.stdout + text.stderr
    with sqlite3.connect(store) as db:
        rows = " ".join(r[0] for r in db.execute("SELECT result FROM evals"))
    assert rows and SECRET not in rows and "(redacted)" in rows


@needs_sandbox
@pytest.mark.parametrize("mode", MODES)
def test_nothing_outside_the_private_folder_is_writable(tmp_path, home, mode):
    import kernelwright.harness.verify as verify
    import torch

    harness_file = Path(verify.__file__)
    before = harness_file.read_bytes()
    site_file = Path(torch.__file__).parent / "kw_pwned.py"
    cache = tmp_path / "cache"
    cache.mkdir()
    target = tmp_path / "outside.txt"
    store = tmp_path / "store.sqlite"
    candidate = _candidate(
        "write_everywhere.py",
        tmp_path,
        HOME=home,
        CACHE=cache,
        TARGET=target,
        HARNESS=harness_file,
        STORE=store,
    )
    result, _ = _eval(PROBLEM, candidate, store, mode, HOME=str(home))
    assert result["outcome"] == "ok", result["message"]
    assert b"pwned" not in store.read_bytes()  # the store the parent alone writes
    with sqlite3.connect(store) as db:
        assert [r[0] for r in db.execute("SELECT outcome FROM evals")] == ["ok"]
    assert harness_file.read_bytes() == before
    assert not site_file.exists()
    assert not (home / "kw_pwned").exists()
    assert not (cache / "results.sqlite").exists() and not target.exists()


@needs_sandbox
@pytest.mark.parametrize("mode", MODES)
def test_no_connection_leaves_the_sandbox(tmp_path, mode):
    listener = _Listener()
    try:
        result, _ = _eval(
            PROBLEM,
            _candidate("network.py", tmp_path, PORT=listener.port),
            tmp_path / "store.sqlite",
            mode,
        )
        time.sleep(0.5)
    finally:
        listener.close()
    assert result["outcome"] == "ok", result["message"]
    assert listener.accepted == []


def test_the_listener_does_see_an_unsandboxed_connection():
    """The network test could not pass by accident: a plain connection is recorded."""
    listener = _Listener()
    try:
        with socket.create_connection(("127.0.0.1", listener.port), timeout=3) as conn:
            conn.sendall(b"hello")
        time.sleep(0.5)
    finally:
        listener.close()
    assert listener.accepted == [b"hello"]


@needs_sandbox
@pytest.mark.parametrize("mode", MODES)
def test_no_process_outlives_the_evaluation(tmp_path, mode):
    marker = str(random.randint(100000, 999999))
    target = tmp_path / "spawned.txt"
    result, _ = _eval(
        PROBLEM,
        _candidate("spawn_and_escape.py", tmp_path, TARGET=target, MARKER=marker),
        tmp_path / "store.sqlite",
        mode,
    )
    assert result["outcome"] == "ok", result["message"]
    time.sleep(0.5)
    assert _sleepers(marker) == []
    assert not target.exists()


@pytest.mark.parametrize("mode", [*MODES, "none"])
def test_a_worker_dies_with_the_process_that_started_it(tmp_path, mode):
    """A search killed with -9 (the OOM killer) leaves no worker running, in every mode,
    without Python code between fork and exec in the search (a deadlock risk there)."""
    marker = str(random.randint(100000, 999999))
    private = sandbox.private_folder()
    try:
        argv = sandbox.detect(mode).wrap(["sleep", marker], private, gpus=False)
        starter = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import subprocess, sys, time; subprocess.Popen(sys.argv[1:]); time.sleep(120)",
                *argv,
            ],
            env=sandbox.worker_environment(private),
        )
        deadline = time.monotonic() + 30
        while not _sleepers(marker):
            assert time.monotonic() < deadline, "the wrapped process never started"
            time.sleep(0.05)
        starter.kill()
        starter.wait(10)
        deadline = time.monotonic() + 10
        while _sleepers(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _sleepers(marker) == [], f"the {mode} worker outlived its parent"
    finally:
        for pid in _sleepers(marker):
            os.kill(pid, 9)
        sandbox.remove_private_folder(private)


@needs_sandbox
@pytest.mark.parametrize("mode", MODES)
def test_the_users_ssh_key_and_accounts_stay_unread(tmp_path, home, mode):
    result, done = _eval(
        PROBLEM,
        _candidate("read_secrets.py", tmp_path, HOME=home),
        tmp_path / "store.sqlite",
        mode,
        HOME=str(home),
    )
    assert result["outcome"] == "ok", result["message"]
    assert "kwTESTprivatekey" not in done.stdout + done.stderr


@needs_sandbox
def test_a_hostile_problem_is_contained_too(tmp_path):
    listener = _Listener()
    marker = str(random.randint(100000, 999999))
    target = tmp_path / "problem-wrote.txt"
    problem = _problem(
        "problem_attacks.py", tmp_path, TARGET=target, PORT=listener.port, MARKER=marker
    )
    try:
        done = _kw(
            "profile",
            str(problem),
            "--device",
            "cpu",
            "--json",
            "--store",
            str(tmp_path / "store.sqlite"),
            env={"ANTHROPIC_API_KEY": SECRET},
        )
        time.sleep(0.5)
    finally:
        listener.close()
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["timing"]["median_ms"] > 0
    assert not target.exists() and listener.accepted == [] and _sleepers(marker) == []


@pytest.mark.parametrize(
    "problem, says",
    [
        ("problem_exits.py", "the problem called sys.exit(3) at import"),
        ("problem_os_exit.py", "the problem ended the worker while importing"),
        ("problem_hangs.py", "did not finish importing and making its inputs within 8 s"),
    ],
)
def test_a_problem_that_exits_or_hangs_at_import_is_bad_input(tmp_path, problem, says):
    store = tmp_path / "store.sqlite"
    started = time.monotonic()
    done = _kw(
        "eval",
        str(_problem(problem, tmp_path)),
        str(TESTS / "cheats" / "ok_softmax.py"),
        "--device",
        "cpu",
        "--import-timeout",
        "8",
        "--store",
        str(store),
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert says in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert time.monotonic() - started < 60
    if store.exists():  # nothing was held against the candidate
        with sqlite3.connect(store) as db:
            assert db.execute("SELECT COUNT(*) FROM evals").fetchone()[0] == 0


def test_profile_and_optimize_say_the_same_of_a_problem_that_exits(tmp_path):
    problem = _problem("problem_exits.py", tmp_path)
    done = _kw("profile", str(problem), "--device", "cpu", "--store", str(tmp_path / "s"))
    assert done.returncode == 2 and "sys.exit(3)" in done.stderr
    done = _kw(
        "optimize",
        str(problem),
        "--device",
        "cpu",
        "--budget",
        "1",
        "--time-limit",
        "20",
        "--out",
        str(tmp_path / "out"),
        "--store",
        str(tmp_path / "s"),
    )
    assert done.returncode == 2 and "sys.exit(3)" in done.stderr, done.stderr


def test_require_sandbox_refuses_where_none_works(tmp_path):
    done = _kw(
        "eval",
        str(PROBLEM),
        str(TESTS / "cheats" / "ok_softmax.py"),
        "--device",
        "cpu",
        "--require-sandbox",
        env={"KERNELWRIGHT_SANDBOX": "none"},
    )
    assert done.returncode == 2
    assert done.stderr.startswith("kernelwright: --require-sandbox: no sandbox works here")


def test_without_a_sandbox_the_user_is_warned(tmp_path):
    done = _kw(
        "eval",
        str(PROBLEM),
        str(TESTS / "cheats" / "ok_softmax.py"),
        "--device",
        "cpu",
        "--json",
        "--store",
        str(tmp_path / "s"),
        env={"KERNELWRIGHT_SANDBOX": "none"},
    )
    assert done.returncode == 0
    assert "warning: no sandbox" in done.stderr
    assert json.loads(done.stdout)["sandbox"]["active"] is False


def test_claude_requires_a_sandbox_by_default(tmp_path):
    done = _kw(
        "optimize",
        str(PROBLEM),
        "--device",
        "cpu",
        "--budget",
        "1",
        "--proposers",
        "embedded,claude",
        "--out",
        str(tmp_path / "out"),
        "--store",
        str(tmp_path / "s"),
        env={"KERNELWRIGHT_SANDBOX": "none", "ANTHROPIC_API_KEY": SECRET},
    )
    assert done.returncode == 2
    assert "the Claude proposer's code runs only sandboxed" in done.stderr
    assert SECRET not in done.stdout + done.stderr


@needs_sandbox
def test_doctor_says_which_sandbox_protects_the_user():
    done = _kw("doctor", "--json", env={"ANTHROPIC_API_KEY": SECRET})
    report = json.loads(done.stdout)
    assert report["sandbox"]["mode"] == MODES[0] and report["sandbox"]["active"]
    assert "no network" in report["sandbox"]["protects"]
    assert report["claude"]["key_source"] == "ANTHROPIC_API_KEY"
    assert SECRET not in done.stdout
    text = _kw("doctor", env={"KERNELWRIGHT_SANDBOX": "none"})
    assert "sandbox   none" in text.stdout
