"""On a real GPU: CUDA works inside the sandbox, and the hostile candidates stay contained.

The same candidates as tests/cpu/test_sandbox.py, evaluated on the device: each
verdict is the kernel's own `ok`, timed with CUDA events (so the GPU was reachable
from inside the sandbox), and each attack left no trace outside it.
"""

from __future__ import annotations

import json
import random
import time

import pytest

from tests.cpu.test_sandbox import (
    MODES,
    PROBLEM,
    SECRET,
    _candidate,
    _kw,
    _Listener,
    _sleepers,
)

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not MODES, reason="no sandbox works here")]


def _eval_cuda(candidate, tmp_path, **env):
    done = _kw(
        "eval",
        str(PROBLEM),
        str(candidate),
        "--device",
        "cuda",
        "--json",
        "--no-cache",
        "--ncu",
        "off",
        "--no-compile-baseline",
        "--store",
        str(tmp_path / "store.sqlite"),
        env={"KERNELWRIGHT_SANDBOX": MODES[0], **env},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["outcome"] == "ok", result["message"]
    assert result["sandbox"]["active"] and result["device"].startswith("cuda")
    assert (
        result["timing"]["method"] == "cuda-events+l2-flush" and result["timing"]["median_ms"] > 0
    )
    return result, done


def test_cuda_inside_the_sandbox_with_no_key_and_no_writes(tmp_path):
    target = tmp_path / "leaked.json"
    _, done = _eval_cuda(
        _candidate("env_key_to_file.py", tmp_path, TARGET=target),
        tmp_path,
        ANTHROPIC_API_KEY=SECRET,
    )
    assert not target.exists() and SECRET not in done.stdout + done.stderr


def test_cuda_inside_the_sandbox_with_no_network(tmp_path):
    listener = _Listener()
    try:
        _eval_cuda(_candidate("network.py", tmp_path, PORT=listener.port), tmp_path)
        time.sleep(0.5)
    finally:
        listener.close()
    assert listener.accepted == []


def test_cuda_inside_the_sandbox_leaves_no_process(tmp_path):
    marker = str(random.randint(100000, 999999))
    target = tmp_path / "spawned.txt"
    _eval_cuda(_candidate("spawn_and_escape.py", tmp_path, TARGET=target, MARKER=marker), tmp_path)
    time.sleep(0.5)
    assert _sleepers(marker) == [] and not target.exists()


def test_cuda_inside_the_sandbox_with_nothing_writable_and_nothing_secret_read(tmp_path):
    """Added after the H200 run of 2026-12-01 (which ran the three tests above)."""
    import sqlite3

    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nkwTESTkey\n")
    store, target = tmp_path / "store.sqlite", tmp_path / "outside.txt"
    candidate = _candidate(
        "write_everywhere.py",
        tmp_path,
        HOME=home,
        CACHE=tmp_path,
        TARGET=target,
        HARNESS="/nonexistent",
        STORE=store,
    )
    _eval_cuda(candidate, tmp_path, HOME=str(home))
    assert not target.exists() and not (home / "kw_pwned").exists()
    with sqlite3.connect(store) as db:
        assert [r[0] for r in db.execute("SELECT outcome FROM evals")] == ["ok"]
    _, done = _eval_cuda(
        _candidate("read_secrets.py", tmp_path, HOME=home), tmp_path, HOME=str(home)
    )
    assert "kwTESTkey" not in done.stdout + done.stderr
