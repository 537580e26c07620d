"""The harness's own Triton kernels, compiled once by a job that runs no problem or
candidate code and copied into each evaluation worker's private cache
(harness/kernel_cache.py): the copy a worker gets is its own, and where the compile
cannot run, every worker still compiles its own and the evaluation goes on.
tests/gpu/test_gpu_kernel_cache.py checks on a GPU that a worker with the copy
compiles nothing; tests/cpu/test_compare_kernel.py that every comparison launches the
one kernel a worker warms."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest
from kernelwright.harness import kernel_cache, pool
from kernelwright.harness import sandbox as sandboxes
from kernelwright.harness.messages import HARNESS_KERNELS_CACHED_ENV, JobKind
from kernelwright.harness.pool import WorkerPool


def _compiled_cache(root: Path) -> Path:
    entry = root / "ABCDEF" / "_chunk_kernel.cubin"
    entry.parent.mkdir(parents=True)
    entry.write_bytes(b"\x7fELF trusted")
    return root


def test_publishing_is_whole_and_the_first_to_publish_keeps_its_copy(tmp_path):
    destination = tmp_path / "kernels" / "key"
    assert kernel_cache.publish(_compiled_cache(tmp_path / "first"), destination)
    second = tmp_path / "second" / "ABCDEF"
    second.mkdir(parents=True)
    (second / "_chunk_kernel.cubin").write_bytes(b"another")
    assert kernel_cache.publish(tmp_path / "second", destination)  # lost the race: no error
    assert (destination / "ABCDEF" / "_chunk_kernel.cubin").read_bytes() == b"\x7fELF trusted"
    assert not [p for p in destination.parent.iterdir() if p.name.startswith(".staging")]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert not kernel_cache.publish(empty, tmp_path / "kernels" / "other")
    assert not (tmp_path / "kernels" / "other").exists()


def test_a_worker_rewriting_its_copy_leaves_the_trusted_one_as_it_was(tmp_path):
    trusted = _compiled_cache(tmp_path / "trusted")
    private = tmp_path / "private" / "triton"
    private.mkdir(parents=True)
    kernel_cache.install(trusted, private)
    copy = private / "ABCDEF" / "_chunk_kernel.cubin"
    assert os.stat(copy).st_ino != os.stat(trusted / "ABCDEF" / "_chunk_kernel.cubin").st_ino
    copy.write_bytes(b"planted")
    assert (trusted / "ABCDEF" / "_chunk_kernel.cubin").read_bytes() == b"\x7fELF trusted"


def test_another_triton_has_a_folder_of_its_own(monkeypatch):
    before = kernel_cache.folder()
    kernel_cache._key.cache_clear()
    real = kernel_cache.importlib.metadata.version
    monkeypatch.setattr(
        kernel_cache.importlib.metadata,
        "version",
        lambda name: "0.0.1" if name == "triton" else real(name),
    )
    try:
        assert kernel_cache.folder() != before
    finally:
        kernel_cache._key.cache_clear()


def _active_sandbox() -> sandboxes.Sandbox:
    sandbox = sandboxes.detect()
    if not sandbox.active:
        pytest.skip(f"no sandbox here ({sandbox.reason})")
    return sandbox


def _environment(pid: int) -> dict[str, str]:
    """The sandbox's first process's environment, which it hands the worker."""
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def test_an_evaluation_worker_starts_with_a_copy_and_others_without(monkeypatch, tmp_path):
    trusted = _compiled_cache(tmp_path / "trusted")
    monkeypatch.setattr(kernel_cache, "folder", lambda: trusted)

    async def start() -> tuple[bool, bool, bytes, bool]:
        workers = WorkerPool(sandbox=_active_sandbox(), kernel_copy=True)
        evaluation = await workers._start("cuda", 0, JobKind.EVAL.value)
        profile = await workers._start("cuda", 0, JobKind.PROFILE.value)
        try:
            copied = (evaluation.private / "triton" / "ABCDEF" / "_chunk_kernel.cubin").read_bytes()
            return (
                HARNESS_KERNELS_CACHED_ENV in _environment(evaluation.proc.pid),
                HARNESS_KERNELS_CACHED_ENV in _environment(profile.proc.pid),
                copied,
                any((profile.private / "triton").iterdir()),
            )
        finally:
            await pool._end(evaluation)
            await pool._end(profile)

    told, profile_told, copied, profile_copied = asyncio.run(start())
    assert told and copied == b"\x7fELF trusted"
    assert not profile_told and not profile_copied  # it compares nothing


def test_the_copy_is_used_only_where_asked_for(monkeypatch, tmp_path):
    """Off by default: on an H100 a spare that loaded every variant from the copy was
    ready 4-8 s later than one that compiled the usual variant, and an alone search's
    evaluations waited for it (harness/pool.py WorkerPool `kernel_copy`)."""
    monkeypatch.setattr(kernel_cache, "folder", lambda: _compiled_cache(tmp_path / "trusted"))
    sandbox = _active_sandbox()
    monkeypatch.delenv(pool.HARNESS_KERNEL_COPY_ENV, raising=False)
    assert asyncio.run(WorkerPool(sandbox=sandbox)._harness_kernels("cuda")) is None
    monkeypatch.setenv(pool.HARNESS_KERNEL_COPY_ENV, "1")
    assert asyncio.run(WorkerPool(sandbox=sandbox)._harness_kernels("cuda")) == tmp_path / "trusted"


def test_without_a_sandbox_nothing_is_compiled_or_copied(monkeypatch, tmp_path):
    monkeypatch.setattr(kernel_cache, "folder", lambda: _compiled_cache(tmp_path / "trusted"))
    workers = WorkerPool(sandbox=sandboxes.Sandbox("none"), kernel_copy=True)
    assert asyncio.run(workers._harness_kernels("cuda")) is None


def test_a_compile_that_cannot_run_leaves_every_worker_to_compile_its_own(caplog):
    """No GPU here: the compile job exits saying so. The pool says why once, publishes
    nothing, and does not try again for the next worker."""
    workers = WorkerPool(sandbox=_active_sandbox(), kernel_copy=True)
    pool._COMPILES.clear()
    compiles = []
    compile_once = workers._compile

    async def counted(destination: Path) -> Path | None:
        compiles.append(destination)
        return await compile_once(destination)

    workers._compile = counted  # type: ignore[method-assign]

    async def twice() -> tuple[Path | None, Path | None, int]:
        first = await workers._harness_kernels("cuda")
        second = await workers._harness_kernels("cuda")
        return first, second, len(compiles)

    with caplog.at_level(logging.WARNING, logger="kernelwright.harness.pool"):
        first, second, compiles = asyncio.run(twice())
    pool._COMPILES.clear()
    assert first is None and second is None and compiles == 1
    warnings = [r.getMessage() for r in caplog.records if "harness kernels" in r.getMessage()]
    assert len(warnings) == 1 and "no usable GPU" in warnings[0]
    assert not kernel_cache.folder().exists()


def test_a_worker_started_while_the_kernels_compile_does_not_wait_for_them(monkeypatch, tmp_path):
    """The first evaluation spare starts at once, compiling its own comparison kernel as
    before; once the compile is published, the next one starts with the copy."""
    trusted = _compiled_cache(tmp_path / "trusted")
    workers = WorkerPool(sandbox=_active_sandbox(), kernel_copy=True)
    pool._COMPILES.clear()
    monkeypatch.setattr(kernel_cache, "folder", lambda: tmp_path / "not-yet")

    async def start_two() -> tuple[bool, bool]:
        compiled = asyncio.Event()

        async def slow_compile(destination: Path) -> Path | None:
            await compiled.wait()
            return trusted

        workers._compile = slow_compile  # type: ignore[method-assign]
        first = await asyncio.wait_for(workers._start("cuda", 0, JobKind.EVAL.value), 30)
        compiled.set()
        await workers._harness_kernels("cuda")
        second = await workers._start("cuda", 0, JobKind.EVAL.value)
        try:
            return (
                HARNESS_KERNELS_CACHED_ENV in _environment(first.proc.pid),
                HARNESS_KERNELS_CACHED_ENV in _environment(second.proc.pid),
            )
        finally:
            await pool._end(first)
            await pool._end(second)

    try:
        first_told, second_told = asyncio.run(start_two())
    finally:
        pool._COMPILES.clear()
    assert not first_told and second_told
