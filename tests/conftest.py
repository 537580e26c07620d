"""Shared fixtures: isolated XDG dirs so no test touches the user's store or skills."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
PROBLEMS = TESTS / "problems"
CHEATS = TESTS / "cheats"


async def evaluate_unsandboxed(problem: Path | str, candidate: str):
    """One evaluation through the real harness (spawned workers, its retries), with the
    workers unsandboxed: for a problem or candidate that carries state from one worker to
    the next in a marker file, where a sandboxed worker can write nowhere lasting."""
    from kernelwright.harness import sandbox
    from kernelwright.harness.evaluate import Harness
    from kernelwright.harness.pool import WorkerPool

    harness = Harness(pool=WorkerPool(parallel=1, sandbox=sandbox.detect("none")))
    return await harness.evaluate(str(problem), candidate, "cpu", use_cache=False)


class SilentChannel:
    """A worker's channel to the parent for a job run in-process (`jobs.run_eval`): every
    GPU request is granted at once, every message dropped."""

    def send(self, kind, payload=None):
        pass

    def share_gpu(self):
        pass

    def wait_for_gpu(self):
        pass


def _cuda() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except Exception:
        return False


def pytest_collection_modifyitems(config, items):
    if _cuda():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def isolated_xdg(tmp_path_factory, monkeypatch):
    base = tmp_path_factory.mktemp("xdg")
    for var in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(var, str(base / var.lower()))
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    return base


def script_lines(source: str, env: dict[str, str]) -> list[str]:
    """What a Python script prints, line by line, run in a fresh interpreter with `env`
    added: TRITON_INTERPRET is read once, when Triton is imported."""
    done = subprocess.run(
        [sys.executable, "-c", source],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()
