"""Parent side: the harness's own Triton kernels, compiled once, trusted, and copied.

Used only where asked for (harness/pool.py HARNESS_KERNEL_COPY_ENV): in the sandbox on an
H100, loading every variant from the copy (seven kernels, when the comparison had six
variants) made a worker's start longer than compiling the usual one (WorkerPool's
`kernel_copy` has the figures). The comparison is one kernel now (harness/compare_kernel.py).

Every evaluation worker is a judge and a runner (harness/judge.py), each with a cold,
private Triton cache (harness/sandbox.py). Each compiled the comparison and digest
kernels while it waited for its request: 2.85-3.31 s with a cold cache against
0.65-0.74 s with a warm one on an H200, and every other evaluation waited for its
spare. A judge that compared against a float64 reference (sums, scans) compiled
that variant after the runner had run, in a fresh empty cache (judge.fresh_kernel_cache):
its judges took 2.2-2.7 s, the others 0.54-1.88 s
(benchmarks/results/h200-2026-12-05-alone-six-trials-judge-isolation/).

So one worker that runs no problem or candidate code (harness/worker.py
messages.COMPILE_HARNESS_KERNELS_FLAG) compiles them once per machine, kernelwright
and Triton version; the pool publishes what it wrote here, under kernelwright's
cache folder, and copies it into each evaluation worker's private cache before the
worker starts. The worker then loads them while it waits for its request,
before any candidate runs, so the judge never compiles one afterwards.

Trusted because nothing untrusted can write it: the sandbox mounts the file system
read-only and hides this folder (harness/sandbox.py); the copy is a copy, not a hard
link, so a candidate that rewrites its own private cache changes nothing here.
Without a sandbox (mode none) a candidate could write it, so it is neither built
nor used there. Triton checks its own key on every load: a stale entry is a miss,
never a wrong kernel.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import shutil
import tempfile
from pathlib import Path

from kernelwright.harness.paths import cache_dir

# A cold compile of the harness kernels, with torch's import, in one process.
COMPILE_TIMEOUT_S = 300.0
# What the kernels' binaries depend on, besides the Triton and torch versions.
_SOURCES = ("compare_kernel.py", "digest_kernel.py", "verify.py")


def folder() -> Path:
    """Where this kernelwright's and this Triton's compiled harness kernels live."""
    return cache_dir() / "harness-kernels" / _key()


@functools.cache  # asked at every evaluation worker's start; the files do not change
def _key() -> str:
    digest = hashlib.sha256()
    for package in ("triton", "torch"):
        try:
            digest.update(f"{package}={importlib.metadata.version(package)};".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{package}=?;".encode())
    here = Path(__file__).parent
    for name in _SOURCES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def publish(compiled: Path, destination: Path) -> bool:
    """Makes what the compile job wrote (`compiled`, its private Triton cache) the
    trusted copy at `destination`, whole or not at all: copied beside it, then renamed.
    False when there was nothing to publish; another process that published first wins."""
    if not compiled.is_dir() or not any(compiled.iterdir()):
        return False
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=destination.parent))
    try:
        shutil.copytree(compiled, staging, dirs_exist_ok=True, symlinks=False)
        os.rename(staging, destination)
    except OSError:
        if not destination.is_dir():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return True


def install(source: Path, private_cache: Path) -> None:
    """Copies the trusted kernels into a worker's private Triton cache (byte copies:
    the worker may write its cache, and must not reach `source` through a shared inode)."""
    shutil.copytree(source, private_cache, dirs_exist_ok=True, symlinks=False)
