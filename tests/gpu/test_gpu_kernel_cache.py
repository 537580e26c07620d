"""On a GPU: the pool's compile job publishes the harness kernels once
(harness/kernel_cache.py), and a worker given a copy of them compiles nothing while it
warms them: no entry is added to its cache. A fresh cache gets some. And once a worker
has warmed them, a float32 evaluation's comparisons compile nothing more."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from kernelwright.harness import kernel_cache, pool
from kernelwright.harness import sandbox as sandboxes
from kernelwright.harness.messages import HARNESS_KERNELS_CACHED_ENV
from kernelwright.harness.pool import WorkerPool

from tests.conftest import script_lines

pytestmark = pytest.mark.gpu

WARM = r"""
import os
from pathlib import Path
import torch
from kernelwright.harness import worker

cache = Path(os.environ["TRITON_CACHE_DIR"])
before = sum(1 for _ in cache.rglob("*"))
worker._start_cuda(compares=True)
print("ADDED", sum(1 for _ in cache.rglob("*")) - before)
"""


COMPARE_AFTER_WARM = r"""
import os
from pathlib import Path
import torch
from kernelwright.harness import verify, worker

cache = Path(os.environ["TRITON_CACHE_DIR"])
worker._start_cuda(compares=True)
before = sum(1 for _ in cache.rglob("*"))
r = torch.randn(1 << 22, device="cuda")
exact = r.double()
verify.compare(r + 1e-6, r)
verify.compare(r, r, exact)
verify.compare(r, r, exact, slack=False, accumulates=True)
verify.compare(r[:1], r[:1], exact[:1], slack=False, accumulates=True)
verify.inputs_unchanged([r], verify.input_digests([r]))
print("ADDED", sum(1 for _ in cache.rglob("*")) - before)
"""


def test_comparisons_after_a_spares_warm_compile_nothing(tmp_path):
    """The float64-bounded comparison that sums and scans fall back to used to be a
    variant of its own, compiled during the evaluation by the runner and the judge."""
    env = {"TRITON_CACHE_DIR": str(tmp_path), "CUDA_VISIBLE_DEVICES": "0", "TRITON_INTERPRET": "0"}
    assert script_lines(COMPARE_AFTER_WARM, env)[-1] == "ADDED 0"


def _entries_added(cache: Path, cached: bool) -> int:
    env = {"TRITON_CACHE_DIR": str(cache), "CUDA_VISIBLE_DEVICES": "0", "TRITON_INTERPRET": "0"}
    env[HARNESS_KERNELS_CACHED_ENV] = "1" if cached else ""
    line = script_lines(WARM, env)[-1]
    return int(line.split()[1])


def test_a_worker_with_the_trusted_copy_compiles_nothing(tmp_path):
    sandbox = sandboxes.detect()
    if not sandbox.active:
        pytest.skip(f"no sandbox here ({sandbox.reason})")
    pool._COMPILES.clear()
    published = asyncio.run(WorkerPool(sandbox=sandbox, kernel_copy=True)._harness_kernels("cuda"))
    assert published == kernel_cache.folder() and published.is_dir()
    copy = tmp_path / "copy"
    shutil.copytree(published, copy)
    assert _entries_added(copy, cached=True) == 0
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    assert _entries_added(fresh, cached=False) > 0
