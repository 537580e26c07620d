"""Parent side: run jobs in spawned worker processes, with hard limits.

Each job gets a fresh `python -m kernelwright.harness.worker` in its own
process group (a fresh CUDA context, no state shared with earlier
candidates; a CUDA error dies with its worker). Many workers compile and
verify at once, one per CPU core; timing is granted one worker per GPU at a
time, so timed runs never share the device. Timeouts and the memory limit kill
the whole process group.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass

from kernelwright.harness.messages import GO_TIMING, JobRequest, WorkerMessage

MEMORY_POLL_S = 0.25


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 300.0  # active time; waiting for the GPU does not count
    memory_bytes: int = 16 << 30  # resident set of the worker's process group


@dataclass
class JobOutcome:
    status: str  # "result" | "bad_input" | "timeout" | "crash" | "internal_error"
    payload: dict
    log_tail: str
    returncode: int | None


_GPU_LOCKS: dict[tuple[int, int], asyncio.Lock] = {}


def gpu_lock(index: int) -> asyncio.Lock:
    """One lock per GPU per event loop: pools of concurrent searches share it, so
    two timed runs never overlap on a device."""
    key = (id(asyncio.get_running_loop()), index)
    if key not in _GPU_LOCKS:
        _GPU_LOCKS[key] = asyncio.Lock()
    return _GPU_LOCKS[key]


class WorkerPool:
    def __init__(self, gpus: int = 1, parallel: int | None = None):
        self._gpus = max(gpus, 1)
        self._slots = asyncio.Semaphore(parallel or max(os.cpu_count() or 1, 1))
        self._next_gpu = 0

    def _pick_gpu(self) -> int:
        index = self._next_gpu % self._gpus
        self._next_gpu += 1
        return index

    async def run(self, request: JobRequest, limits: Limits = Limits()) -> JobOutcome:
        async with self._slots:
            return await self._run(request, limits)

    async def _run(self, request: JobRequest, limits: Limits) -> JobOutcome:
        gpu = self._pick_gpu()
        env = dict(os.environ)
        if request.device == "cpu":
            env["TRITON_INTERPRET"] = "1"
            env["CUDA_VISIBLE_DEVICES"] = ""
        else:
            env.pop("TRITON_INTERPRET", None)
            visible = env.get("CUDA_VISIBLE_DEVICES")
            ids = visible.split(",") if visible else [str(i) for i in range(self._gpus)]
            env["CUDA_VISIBLE_DEVICES"] = ids[gpu % len(ids)]  # pinned: one GPU per worker
        env["PYTHONUNBUFFERED"] = "1"
        log_fd, log_path = tempfile.mkstemp(prefix="kw-worker-", suffix=".log")
        os.close(log_fd)
        request.log_path = log_path
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "kernelwright.harness.worker",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL, env=env, start_new_session=True,
            limit=1 << 24,
        )
        try:
            proc.stdin.write((request.to_json() + "\n").encode())
            await proc.stdin.drain()
            status, payload = await self._converse(proc, gpu, limits)
        finally:  # also on cancellation: the whole process group goes
            _kill_group(proc)
            await proc.wait()
        tail = _read_tail(log_path)
        os.unlink(log_path)
        return JobOutcome(status, payload, tail, proc.returncode)

    async def _converse(self, proc, gpu: int, limits: Limits) -> tuple[str, dict]:
        budget = limits.timeout_s
        while True:
            started = time.monotonic()
            message = await _next_message(proc, budget, limits)
            budget -= time.monotonic() - started
            if message.type == "progress":
                continue
            if message.type != "ready_to_time":
                return message.type, message.payload
            # The wait for the GPU is not the candidate's time: the budget
            # pauses here and resumes once the lock is held.
            async with gpu_lock(gpu):
                proc.stdin.write(GO_TIMING.encode())
                await proc.stdin.drain()
                message = await _next_message(proc, max(budget, 1.0), limits)
            return message.type, message.payload


async def _next_message(proc, budget: float, limits: Limits) -> WorkerMessage:
    """The worker's next protocol line, or a synthetic timeout/crash message."""
    reader = asyncio.ensure_future(proc.stdout.readline())
    watcher = asyncio.ensure_future(_watch_memory(proc.pid, limits.memory_bytes))
    done, _ = await asyncio.wait({reader, watcher}, timeout=budget,
                                 return_when=asyncio.FIRST_COMPLETED)
    watcher.cancel()
    if watcher in done:
        reader.cancel()
        return WorkerMessage("crash", {"reason": f"exceeded the memory limit of "
                                                 f"{limits.memory_bytes >> 20} MiB"})
    if reader not in done:
        reader.cancel()
        return WorkerMessage("timeout", {"reason": f"no verdict within {limits.timeout_s:.0f} s"})
    line = reader.result()
    if not line:
        await proc.wait()
        return WorkerMessage("crash", {"reason": _describe_exit(proc.returncode)})
    return WorkerMessage.from_line(line.decode())


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the worker died of {name}"
    return f"the worker exited with status {code} before a verdict"


def _kill_group(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _group_rss(pgid: int) -> int:
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:  # field 5 (pgrp), after pid and comm
                continue
            total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # field 24: rss pages
        except (OSError, IndexError, ValueError):
            continue
    return total


async def _watch_memory(pgid: int, limit: int) -> None:
    while _group_rss(pgid) < limit:
        await asyncio.sleep(MEMORY_POLL_S)


def _read_tail(path: str, size: int = 4000) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(handle.tell() - size, 0))
            return handle.read().decode(errors="replace")
    except OSError:
        return ""
