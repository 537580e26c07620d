"""Parent side: run jobs in spawned worker processes, with hard limits.

Each job gets a fresh `python -m kernelwright.harness.worker` in its own
process group (a fresh CUDA context, no state shared with earlier
candidates; a CUDA error dies with its worker). Many workers compile and
verify at once, one per CPU core, sharing the GPU; timing is granted one
worker per GPU at a time with nobody else on it (`GpuGate`). Timeouts and the memory limit kill
the whole process group.
"""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass

from kernelwright.harness.messages import GO_TIMING, JobKind, JobRequest, WorkerMessage
from kernelwright.harness.phases import PhaseClock

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
    seconds: dict[str, float] | None = None  # total, waiting, shared, exclusive


class GpuGate:
    """Who may use one GPU now: many sharers, or one timer alone.

    Compiling and verifying ("shared") may overlap each other: they are judged
    on results, not speed. Timing ("exclusive") must have the device to
    itself, so nobody else's kernels sit in its measurement.

    Turns alternate in batches: when a shared phase drains, every timer then
    waiting runs, one after another; then every sharer then waiting enters at
    once (up to the cap). Served strictly in arrival order, the queue of a
    bench (sharer, timer, sharer, timer, ...) ran one job at a time: on an
    H200 with 17 searches each evaluation waited about 50 s for 3-4 s of GPU
    work. Neither side starves: a timer waits for at most one shared phase,
    which admits no newcomer while a timer waits; a sharer waits for at most
    one batch of timers. Sharers are capped because each holds its problem's
    inputs and outputs in GPU memory.
    """

    def __init__(self, max_sharers: int = 6):
        self.max_sharers = max_sharers
        self.sharers = 0
        self.timing = False
        self._queue: collections.deque[tuple[str, asyncio.Future]] = collections.deque()
        self._timers_left = 0  # timers still to run in the current batch
        self._last_turn = EXCLUSIVE

    def _admit_sharers(self) -> None:
        for mode, waiter in list(self._queue):
            if self.sharers >= self.max_sharers:
                break
            if mode == SHARED:
                self._queue.remove((mode, waiter))
                self.sharers += 1
                waiter.set_result(None)
        self._last_turn = SHARED

    def _start_timer(self) -> None:
        mode, waiter = next(item for item in self._queue if item[0] == EXCLUSIVE)
        self._queue.remove((mode, waiter))
        self.timing = True
        self._last_turn = EXCLUSIVE
        waiter.set_result(None)

    def _grant(self) -> None:
        self._queue = collections.deque(item for item in self._queue if not item[1].done())
        if self.timing:
            return
        timers = sum(1 for mode, _ in self._queue if mode == EXCLUSIVE)
        waiting_sharers = len(self._queue) - timers
        if self._timers_left and timers:
            self._timers_left -= 1
            self._start_timer()
            return
        self._timers_left = 0
        if self.sharers:  # a shared phase: newcomers join it only while no timer waits
            if not timers:
                self._admit_sharers()
            return
        if waiting_sharers and (not timers or self._last_turn == EXCLUSIVE):
            self._admit_sharers()
        elif timers:
            self._timers_left = timers - 1  # this batch: the timers waiting now
            self._start_timer()

    async def acquire(self, mode: str) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._queue.append((mode, waiter))
        self._grant()
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # granted, then cancelled
                self.release(mode)
            else:  # its place in the queue may have held others back
                self._grant()
            raise

    def release(self, mode: str) -> None:
        if mode == EXCLUSIVE:
            self.timing = False
        else:
            self.sharers -= 1
        self._grant()


SHARED, EXCLUSIVE = "shared", "exclusive"
_GPU_GATES: dict[tuple[int, int], GpuGate] = {}


def gpu_gate(index: int) -> GpuGate:
    """One gate per GPU per event loop: pools of concurrent searches share it, so
    two timed runs never overlap on a device, nor a timed run and a verification."""
    key = (id(asyncio.get_running_loop()), index)
    if key not in _GPU_GATES:
        _GPU_GATES[key] = GpuGate()
    return _GPU_GATES[key]


@dataclass
class _Worker:
    proc: asyncio.subprocess.Process
    log_path: str


class WorkerPool:
    """Runs each job in a fresh worker process.

    With `prestart`, the pool keeps spare evaluation workers started per
    device and GPU, up to one per parallel slot: a spare has already imported
    torch and triton when its job comes (about 9 s of each evaluation's wall
    time on the H200 machine went to starting the worker). A spare runs
    nothing but imports before its request; each job still gets a process no
    other job has used. `close()` ends the spares.
    """

    def __init__(self, gpus: int = 1, parallel: int | None = None, prestart: bool = False):
        self._gpus = max(gpus, 1)
        self._parallel = parallel or max(os.cpu_count() or 1, 1)
        self._slots = asyncio.Semaphore(self._parallel)
        self._next_gpu = 0
        self._prestart = prestart
        self._spares: dict[tuple[int, str, int], list[_Worker]] = {}

    def _pick_gpu(self) -> int:
        index = self._next_gpu % self._gpus
        self._next_gpu += 1
        return index

    async def run(self, request: JobRequest, limits: Limits = Limits()) -> JobOutcome:
        async with self._slots:
            return await self._run(request, limits)

    async def close(self) -> None:
        spares, self._spares = [w for ws in self._spares.values() for w in ws], {}
        for spare in spares:
            await _end(spare)

    async def _start(self, device: str, gpu: int) -> _Worker:
        env = dict(os.environ)
        if device == "cpu":
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
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "kernelwright.harness.worker", "--log", log_path,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL, env=env, start_new_session=True,
            limit=1 << 24,
        )
        return _Worker(proc, log_path)

    async def _worker_for(self, request: JobRequest, gpu: int) -> _Worker:
        key = (id(asyncio.get_running_loop()), request.device, gpu)
        # A list per key, not one slot: concurrent jobs each took the one spare's
        # place and overwrote each other's new spare, and the overwritten ones
        # idled unreaped until the interpreter exited ("Event loop is closed"
        # from their transports, ten times in one GPU probe).
        spares = self._spares.get(key, [])
        worker = None
        while spares and worker is None:
            spare = spares.pop()
            if spare.proc.returncode is None:
                worker = spare
            else:  # it died waiting
                await _end(spare)
        worker = worker or await self._start(request.device, gpu)
        if self._prestart and request.kind == JobKind.EVAL.value and len(spares) < self._parallel:
            self._spares.setdefault(key, []).append(await self._start(request.device, gpu))
        return worker

    async def _run(self, request: JobRequest, limits: Limits) -> JobOutcome:
        gpu = self._pick_gpu()
        worker = await self._worker_for(request, gpu)
        proc, log_path = worker.proc, worker.log_path
        request.log_path = log_path
        clock = PhaseClock(("waiting", SHARED, EXCLUSIVE))
        try:
            proc.stdin.write((request.to_json() + "\n").encode())
            await proc.stdin.drain()
            status, payload = await self._converse(proc, gpu, limits, clock)
        finally:  # also on cancellation: the whole process group goes
            await _reap(proc)
        tail = _read_tail(log_path)
        os.unlink(log_path)
        return JobOutcome(status, payload, tail, proc.returncode,
                          {"total": clock.total(), **clock.rounded()})

    async def _converse(self, proc, gpu: int, limits: Limits,
                        clock: PhaseClock) -> tuple[str, dict]:
        budget = limits.timeout_s
        gate, held = gpu_gate(gpu), None
        try:
            while True:
                started = time.monotonic()
                message = await _next_message(proc, budget, limits)
                budget = max(budget - (time.monotonic() - started), 1.0 if held else 0.0)
                if message.type == "progress":
                    continue
                wanted = {"ready_for_gpu": SHARED, "ready_to_time": EXCLUSIVE}.get(message.type)
                if wanted is None:
                    return message.type, message.payload
                # The wait for the GPU is not the candidate's time: the budget
                # pauses here and resumes once the gate lets the worker in.
                if held is not None:
                    gate.release(held)  # a sharer gives its place up before it asks to time
                    held = None
                clock.enter("waiting")
                await gate.acquire(wanted)
                held = wanted
                clock.enter(wanted)
                proc.stdin.write(GO_TIMING.encode())
                await proc.stdin.drain()
        finally:
            if held is not None:
                gate.release(held)
            clock.enter(None)


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


async def _reap(proc) -> None:
    """Kill the worker's process group, wait for it, and close our end of its stdin:
    a pipe left open kept the transport alive until garbage collection, after the
    event loop had closed ("RuntimeError: Event loop is closed" at every exit)."""
    _kill_group(proc)
    await proc.wait()
    if proc.stdin is not None:
        proc.stdin.close()


async def _end(worker: _Worker) -> None:
    await _reap(worker.proc)
    try:
        os.unlink(worker.log_path)
    except OSError:
        pass


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
