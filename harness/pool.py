"""Parent side: run jobs in spawned worker processes, with hard limits.

Each job gets a fresh `python -m kernelwright.harness.worker`, inside the
sandbox (harness/sandbox.py) and in its own process group (a fresh CUDA context, no state shared with earlier
candidates; a CUDA error dies with its worker). Many workers compile and
verify at once, one per CPU core, sharing the GPU; timing is granted one
worker per GPU at a time with nobody else on it (`GpuGate`). A job enters a GPU
only when its memory footprint fits there (harness/admission.py). Timeouts and
the memory limit kill the worker's whole process tree (a candidate's `setsid` children included), and
everything a worker sends back is scrubbed of secrets (harness/secrets.py)
before anyone reads it.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from kernelwright.harness import kernel_cache, processes
from kernelwright.harness import sandbox as sandboxes
from kernelwright.harness.admission import device_memory
from kernelwright.harness.gpu_gate import COMPILING, EXCLUSIVE, SHARED, gpu_gate
from kernelwright.harness.messages import (
    COMPILE_HARNESS_KERNELS_FLAG,
    GO_TIMING,
    HARNESS_KERNELS_CACHED_ENV,
    OWN_PID_NAMESPACE_ENV,
    PROBLEM_IMPORT,
    PROBLEM_LOADED,
    WORKER_READY,
    YIELD_GPU,
    JobKind,
    JobRequest,
    WorkerMessage,
    describe_exit,
)
from kernelwright.harness.phases import PhaseClock
from kernelwright.harness.secrets import known_secrets, scrub, scrub_data

MEMORY_POLL_S = 0.25
# "1": evaluation workers start with a copy of the harness kernels compiled once
# (harness/kernel_cache.py); off by default (WorkerPool's `kernel_copy` says why).
HARNESS_KERNEL_COPY_ENV = "KERNELWRIGHT_HARNESS_KERNEL_COPY"
# An evaluation that waits longer than this for its spare to finish starting asks for
# one more spare, up to this many per device over all the pools of an event loop
# (WorkerPool._late_spare): a bench's eight searches each have a pool (agent/bench.py).
LATE_SPARE_S = 1.0
EXTRA_SPARES_MAX = 3
_EXTRA_SPARES: collections.Counter[tuple[int, str, str]] = collections.Counter()
log = logging.getLogger(__name__)
# The harness kernels' compile job (harness/kernel_cache.py), one per event loop, shared
# by every pool on it: a bench's searches each have a pool of their own (agent/bench.py).
# asyncio.run's end cancels one still running, and with it ends its worker.
_COMPILES: dict[int, asyncio.Task[Path | None]] = {}


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 300.0  # active time; waiting for the GPU does not count
    memory_bytes: int = 16 << 30  # the worker's process tree, shared pages once (_watch_memory)
    # Until the problem has imported (and made its inputs), a hang or an exit is the
    # problem's fault: bad input, within this much of the timeout, never a verdict.
    import_timeout_s: float = 120.0


@dataclass
class JobOutcome:
    status: str  # "result" | "bad_input" | "timeout" | "crash" | "internal_error"
    payload: dict
    log_tail: str
    returncode: int | None
    seconds: dict[str, float] | None = None  # total, waiting, shared, exclusive


# CPU priority (nice) by job: a search waits on its capture and profile before any
# evaluation, and a bench starts some 40 workers at once (8 searches), so evaluation
# workers yield the CPU to the reference's. A profile worker at nice 5 too was still
# importing when its capture ended: profiles took 13-22 s, not 1 s, on an H200
# (benchmarks/results/h200-2026-12-03-large-harness-startup). Every timed thread
# still raises its own priority where it may (harness/worker.py `_raise_priority`).
NICENESS = {JobKind.EVAL.value: 10}
# The capture runs on meta or CPU tensors: its worker makes no CUDA context ahead of
# its request (harness/worker.py `_start_cuda`), one where the problem asks for one.
LAZY_CUDA_ENV = "KERNELWRIGHT_LAZY_CUDA"
# What a search runs before its evaluations; warm() starts a worker for each it asks for.
REFERENCE_JOBS = (JobKind.CAPTURE.value, JobKind.PROFILE.value)


def _niced(kind: str):
    steps = NICENESS.get(kind, 0)
    return (lambda: os.nice(steps)) if steps else None


@dataclass
class _Worker:
    proc: asyncio.subprocess.Process
    log_path: str
    private: Path  # the sandbox's one writable folder; removed with the worker


class WorkerPool:
    """Runs each job in a fresh worker process.

    With `prestart`, the pool keeps spare evaluation workers started per
    device and GPU, one per parallel slot and one more, and more where evaluations
    wait for theirs: a spare has already imported torch and triton when its job
    comes (about 9 s of each evaluation's wall time on the H200 machine went to
    starting the worker). A spare runs
    nothing but imports before its request; each job still gets a process no
    other job has used. `close()` ends the spares.
    """

    def __init__(
        self,
        gpus: int = 1,
        parallel: int | None = None,
        prestart: bool = False,
        sandbox: sandboxes.Sandbox | None = None,
        kernel_copy: bool | None = None,
    ):
        self.sandbox = sandbox or sandboxes.detect()
        # Off unless asked for (`kernel_copy`, or HARNESS_KERNEL_COPY_ENV=1): on an H100
        # a spare that loaded every variant from the trusted copy was ready 19-23 s
        # after its start, against 13-17 s for one that compiled the usual variant
        # (the loads took 8.6-10.2 s in the sandbox), and an alone search's evaluations
        # waited for it: median wall 7.7-8.3 s against 6.0-7.3 s without the copy,
        # though its judges took 0.5-0.9 s, not 2.0-3.2 s
        # (benchmarks/results/h100-2026-12-05-spares-after-the-kernel-cache). That copy
        # held seven kernels; the comparison's six variants are one kernel since.
        self._kernel_copy = (
            os.environ.get(HARNESS_KERNEL_COPY_ENV) == "1" if kernel_copy is None else kernel_copy
        )
        self._gpus = max(gpus, 1)
        self._parallel = parallel or max(os.cpu_count() or 1, 1)
        self._slots = asyncio.Semaphore(self._parallel)
        # One spare more than the slots to begin with: a spare takes longer to start
        # (torch's imports, about 6.5 s on the H200 machine) than an evaluation takes
        # (3.4 s for a 6 GB softmax), so with one spare per slot every other evaluation
        # of `--parallel 1` waited 2-6.5 s for its worker
        # (benchmarks/results/h200-2026-12-04-large-harness-forked-runner). Where
        # evaluations still wait for their spare, there are more (`_late_spare`).
        self._evaluations: collections.Counter[tuple[int, str, int]] = collections.Counter()
        # this pool's extra spares, by device (`_device_key`): a share of _EXTRA_SPARES
        self._extras: collections.Counter[tuple[int, str, str]] = collections.Counter()
        self._starting: collections.Counter[tuple[int, str, int]] = collections.Counter()
        self._next_gpu = 0
        self._prestart = prestart
        self._spares: dict[tuple[int, str, int], list[_Worker]] = {}
        # the capture's and the profile's: keyed by job kind as well
        self._reference_spares: dict[tuple[int, str, int, str], list[_Worker]] = {}

    def _pick_gpu(self) -> int:
        index = self._next_gpu % self._gpus
        self._next_gpu += 1
        return index

    def _gpu_id(self, gpu: int) -> str:
        """The GPU as CUDA_VISIBLE_DEVICES names it to the worker."""
        visible = os.environ.get("CUDA_VISIBLE_DEVICES")
        ids = visible.split(",") if visible else [str(i) for i in range(self._gpus)]
        return ids[gpu % len(ids)]

    async def run(self, request: JobRequest, limits: Limits = Limits()) -> JobOutcome:
        """The slots bound concurrent evaluations. A search's reference jobs (its capture,
        profile and the device's peaks, one each, which the search orders itself) take
        none: holding the one slot of `--parallel 1`, the capture made the peaks
        measurement wait for it, and every profile of a bench waited 12 s more on an H200."""
        if request.kind != JobKind.EVAL.value:
            return await self._run(request, limits)
        async with self._slots:
            return await self._run(request, limits)

    async def close(self) -> None:
        spares = [
            w for ws in (*self._spares.values(), *self._reference_spares.values()) for w in ws
        ]
        self._spares, self._reference_spares = {}, {}
        _EXTRA_SPARES.subtract(self._extras)  # the device's share, for other pools
        self._extras.clear()
        for spare in spares:
            await _end(spare)

    async def warm(self, device: str, reference_jobs: tuple[str, ...] = REFERENCE_JOBS) -> None:
        """Starts the spare workers now (with `prestart`), so they import torch while the
        search captures and profiles its reference: the first evaluations then find a
        worker ready (on the H200 machine a cold start was 9 s of the first
        evaluation's wall time with eight searches starting at once).

        The capture and the profile come first: each gets a worker of its own, and
        the evaluation spares start after them at a lower CPU priority (`NICENESS`). Eight searches starting together used to
        start some 60 torch-importing processes at once, and a 0.2 s capture waited
        20-30 s for its worker's imports (benchmarks/results/h200-2026-12-02-large-harness)."""
        if not self._prestart:
            return
        loop = id(asyncio.get_running_loop())
        for kind in reference_jobs:
            reference = self._reference_spares.setdefault((loop, device, 0, kind), [])
            if not reference:
                reference.append(await self._start(device, 0, kind))
        for gpu in range(self._gpus if device == "cuda" else 1):
            await self._top_up((loop, device, gpu), device, gpu)

    async def _start(
        self, device: str, gpu: int, kind: str, flags: tuple[str, ...] | None = None
    ) -> _Worker:
        """A fresh worker for a job of `kind`, at that kind's CPU priority (`NICENESS`).
        `flags`: the worker's command-line flags, where they are not the kind's."""
        evaluation = kind == JobKind.EVAL.value
        compiled = self._harness_kernels_now(device) if evaluation else None
        private = sandboxes.private_folder()
        env = sandboxes.worker_environment(private)
        if compiled is not None:
            try:
                kernel_cache.install(compiled, private / "triton")
                env[HARNESS_KERNELS_CACHED_ENV] = "1"
            except OSError as err:  # a full disk: this worker compiles its own
                log.warning("could not copy the harness kernels into a worker: %s", err)
        if device == "cpu":
            env["TRITON_INTERPRET"] = "1"
            env["CUDA_VISIBLE_DEVICES"] = ""
        else:
            env.pop("TRITON_INTERPRET", None)
            env["CUDA_VISIBLE_DEVICES"] = self._gpu_id(gpu)  # pinned: one GPU per worker
        env["PYTHONUNBUFFERED"] = "1"
        if self.sandbox.own_pid_namespace:
            env[OWN_PID_NAMESPACE_ENV] = "1"
        if kind == JobKind.CAPTURE.value:
            env[LAZY_CUDA_ENV] = "1"
        log_path = str(private / "worker.log")
        # An evaluation's worker is a judge with a runner (harness/judge.py); other jobs
        # run no candidate code and need none.
        role = list(flags) if flags is not None else ["--judge"] if evaluation else []
        argv = self.sandbox.wrap(
            # -P: the working directory (the private folder, which a candidate can write)
            # is not on sys.path, so no module planted there is ever imported
            [sys.executable, "-P", "-m", "kernelwright.harness.worker", "--log", log_path, *role],
            private,
            gpus=device == "cuda",
        )
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                env=env,
                start_new_session=True,
                preexec_fn=_niced(kind),
                limit=1 << 24,
                cwd=private / "tmp",
            )
        except BaseException:
            sandboxes.remove_private_folder(private)
            raise
        return _Worker(proc, log_path, private)

    def _uses_harness_kernels(self, device: str) -> bool:
        """Only where asked for, on a GPU, and in a sandbox: without one a candidate
        could write them."""
        return self._kernel_copy and device == "cuda" and self.sandbox.active

    def _harness_kernels_now(self, device: str) -> Path | None:
        """The trusted compiled harness kernels to copy into an evaluation worker's
        cache (harness/kernel_cache.py), without waiting: while the compile job runs
        (this starts it), None, and the worker compiles the kernels itself, as
        every worker did before. Waiting made a search's first evaluation wait for the
        compile, 18.5 s of its wall on an H100
        (benchmarks/results/h100-2026-12-05-alone-kernel-cache). None too on a CPU,
        without a sandbox (a candidate could write them), or where the compile failed."""
        task = self._compile_task(device)
        if task is None or not task.done() or task.cancelled():
            return None
        return task.result()

    async def _harness_kernels(self, device: str) -> Path | None:
        """As `_harness_kernels_now`, but waits for the compile job to end."""
        task = self._compile_task(device)
        # shielded: one waiter's cancellation must not end everyone's compile
        return None if task is None else await asyncio.shield(task)

    def _compile_task(self, device: str) -> asyncio.Future | None:
        """This event loop's compile of the harness kernels (done at once where they are
        published already), started here; None where workers do not use them."""
        if not self._uses_harness_kernels(device):
            return None
        compiled = kernel_cache.folder()
        loop = asyncio.get_running_loop()
        if compiled.is_dir():
            published = loop.create_future()
            published.set_result(compiled)
            return published
        task = _COMPILES.get(id(loop))
        if task is None or task.get_loop() is not loop:
            task = _COMPILES[id(loop)] = asyncio.ensure_future(self._compile(compiled))
        return task

    async def _compile(self, destination: Path) -> Path | None:
        """Runs the compile job (a sandboxed worker that runs no problem or candidate
        code) and publishes its private Triton cache as the trusted copy."""
        worker = await self._start("cuda", 0, "compile", flags=(COMPILE_HARNESS_KERNELS_FLAG,))
        try:
            await asyncio.wait_for(worker.proc.wait(), kernel_cache.COMPILE_TIMEOUT_S)
            if worker.proc.returncode == 0 and kernel_cache.publish(
                worker.private / "triton", destination
            ):
                return destination
            reason = describe_exit(worker.proc.returncode)
        except TimeoutError:
            reason = f"not done within {kernel_cache.COMPILE_TIMEOUT_S:.0f} s"
        except OSError as err:  # publishing: kernelwright's cache folder not writable
            reason = f"could not publish them: {err}"
        finally:
            tail = _read_tail(worker.log_path, 600).strip()
            await _end(worker)
        log.warning(
            "compiling the harness kernels once for every worker failed (%s): each "
            "evaluation worker compiles its own. %s",
            reason,
            tail,
        )
        return None

    async def _worker_for(self, request: JobRequest, gpu: int) -> _Worker:
        key = (id(asyncio.get_running_loop()), request.device, gpu)
        evaluation = request.kind == JobKind.EVAL.value
        # A list per key, not one slot: concurrent jobs each took the one spare's
        # place and overwrote each other's new spare, and the overwritten ones
        # idled unreaped until the interpreter exited ("Event loop is closed"
        # from their transports, ten times in one GPU probe).
        spares = (
            self._spares.get(key, [])
            if evaluation
            else self._reference_spares.get((*key, request.kind), [])
        )
        worker = None
        while spares and worker is None:
            spare = spares.pop(0)  # the oldest: the likeliest to have finished starting
            if spare.proc.returncode is None:
                worker = spare
            else:  # it died waiting
                await _end(spare)
        worker = worker or await self._start(request.device, gpu, request.kind)
        # The reference's jobs take what warm() started for them and leave it at that.
        if self._prestart and evaluation:
            await self._top_up(key, request.device, gpu)
        return worker

    async def _top_up(self, key: tuple[int, str, int], device: str, gpu: int) -> None:
        """Starts evaluation spares until `_spare_count` wait or are starting. A start
        is counted before it is awaited: concurrent jobs each saw the list short and
        each started one, and the spares piled up past the count."""
        waiting = self._spares.setdefault(key, [])
        while len(waiting) + self._starting[key] < self._spare_count(key):
            self._starting[key] += 1
            try:
                spare = await self._start(device, gpu, JobKind.EVAL.value)
            finally:
                self._starting[key] -= 1
            waiting.append(spare)

    def _spare_count(self, key: tuple[int, str, int]) -> int:
        return self._parallel + 1 + self._extras[self._device_key(key)]

    def _device_key(self, key: tuple[int, str, int]) -> tuple[int, str, str]:
        """(event loop, device, GPU as CUDA_VISIBLE_DEVICES names it): one device seen
        by every pool of the loop, where `key` names this pool's GPU by its index."""
        loop, device, gpu = key
        return loop, device, self._gpu_id(gpu) if device == "cuda" else ""

    async def _late_spare(
        self, key: tuple[int, str, int], device: str, gpu: int, waited: float
    ) -> None:
        """An evaluation that waited `waited` seconds for its worker to be ready: where
        that is more than LATE_SPARE_S, evaluations come faster than spares start, and
        one more spare starts now and is kept, while the device has fewer than
        EXTRA_SPARES_MAX such over every pool of this event loop. With 2.3 s evaluations
        of a 4 GB sum on an H100, later evaluations waited 5.0-6.7 s for one of the two
        spares (benchmarks/results/h100-2026-12-05-alone-kernel-cache). Bounded per
        device, not per pool: each spare is a process importing torch and holds a CUDA
        context, and a bench of eight searches already starts some 33 workers on 16
        cores (docs/harness.md)."""
        # The first evaluations take the spares warm() started all at once, while the
        # reference was captured: how long they wait says nothing of the rate (a stored
        # reference leaves no capture to hide the start behind).
        self._evaluations[key] += 1
        shared = self._device_key(key)
        if (
            self._evaluations[key] <= self._parallel
            or waited <= LATE_SPARE_S
            or _EXTRA_SPARES[shared] >= EXTRA_SPARES_MAX
        ):
            return
        _EXTRA_SPARES[shared] += 1
        self._extras[shared] += 1
        await self._top_up(key, device, gpu)

    async def _run(self, request: JobRequest, limits: Limits) -> JobOutcome:
        gpu = self._pick_gpu()
        worker = await self._worker_for(request, gpu)
        proc, log_path = worker.proc, worker.log_path
        assert proc.stdin is not None  # a pipe (_start)
        request.log_path = log_path
        # "starting": until the worker is ready (a worker still importing torch), and
        # from the request to its next word (a problem importing); "ending": the
        # verdict to the exit.
        clock = PhaseClock(("starting", "waiting", SHARED, EXCLUSIVE, COMPILING, "ending"))
        memory = device_memory(request.device, self._gpu_id(gpu))
        admitted = None
        memory_wait = 0.0
        try:
            clock.enter("starting")
            asked = time.monotonic()
            status, payload = await _until_ready(proc, limits)
            if self._prestart and request.kind == JobKind.EVAL.value:
                key = (id(asyncio.get_running_loop()), request.device, gpu)
                await self._late_spare(key, request.device, gpu, time.monotonic() - asked)
            if status is None:
                # Waiting for memory is waiting for the GPU: not the job's active time.
                # Booked only now (messages.WORKER_READY): a worker still importing
                # uses none of it.
                clock.enter("waiting")
                if request.kind != JobKind.CAPTURE.value:
                    # A capture runs on meta or CPU tensors (jobs.run_capture) and books
                    # no GPU memory: behind the peaks measurement, which has the device
                    # alone at a bench's start, every search's capture waited about 60 s
                    # on an H200 (benchmarks/results/h200-2026-12-02-bench).
                    asked = time.monotonic()
                    admitted = await memory.acquire(request.memory_estimate, request.alone)
                    memory_wait = time.monotonic() - asked
                clock.enter("starting")
                proc.stdin.write((request.to_json() + "\n").encode())
                await proc.stdin.drain()
                status, payload = await self._converse(
                    proc, gpu, limits, clock, loading=bool(request.problem_source)
                )
            clock.enter("ending")
            tail = _read_tail(log_path)
        finally:  # also on cancellation: the whole process tree goes
            try:
                await _end(worker)
                clock.enter(None)
            finally:  # only now: the worker held its memory until it exited
                if admitted is not None:
                    memory.release(admitted)
        secrets = known_secrets()
        return JobOutcome(
            status,
            scrub_data(payload, secrets),
            scrub(tail, secrets),
            proc.returncode,
            # "waiting:memory": the part of "waiting" spent in admission, not at the gate
            {"total": clock.total(), **clock.rounded(), "waiting:memory": round(memory_wait, 3)},
        )

    async def _converse(
        self, proc, gpu: int, limits: Limits, clock: PhaseClock, loading: bool
    ) -> tuple[str, dict]:
        budget = limits.timeout_s
        importing, import_budget = False, budget  # the problem's import: its own clock
        gate, held = gpu_gate(gpu), None
        try:
            while True:
                started = time.monotonic()
                wait = min(budget, import_budget) if importing else budget
                message = await _next_message(proc, wait, limits)
                spent = time.monotonic() - started
                budget = max(budget - spent, 1.0 if held else 0.0)
                if importing:
                    import_budget = max(import_budget - spent, 0.0)
                if loading and message.type in ("timeout", "crash"):
                    return "bad_input", {"reason": _problem_fault(message, limits)}
                if message.type == "progress":
                    phase = message.payload.get("phase")
                    if loading and phase == PROBLEM_IMPORT:
                        importing, import_budget = True, min(limits.import_timeout_s, budget)
                    elif phase == PROBLEM_LOADED:
                        loading = importing = False
                    continue
                if message.type == "left_gpu":  # compiling, nothing on the device
                    if held is not None:
                        gate.release(held)
                        held = None
                    clock.enter(COMPILING)
                    proc.stdin.write(GO_TIMING.encode())
                    await proc.stdin.drain()
                    continue
                if message.type == YIELD_GPU:  # between trials: a waiting timer goes first
                    wanted = SHARED if held == SHARED else None
                else:
                    wanted = {"ready_for_gpu": SHARED, "ready_to_time": EXCLUSIVE}.get(message.type)
                    if wanted is None:
                        return message.type, message.payload
                if wanted is not None:
                    # The wait for the GPU is not the candidate's time: the budget
                    # pauses here and resumes once the gate lets the worker in.
                    if held is not None:
                        gate.release(held)  # a sharer gives its place up to time or yield
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


async def _until_ready(proc, limits: Limits) -> tuple[str | None, dict]:
    """Waits for the worker's first word (messages.WORKER_READY): (None, {}) once it is
    ready for its request, else the crash or timeout that came instead."""
    message = await _next_message(proc, limits.timeout_s, limits)
    if message.type == WORKER_READY:
        return None, {}
    if message.type in ("crash", "timeout"):
        reason = message.payload.get("reason", "")
        return message.type, {"reason": f"{reason} (while the worker started)"}
    return "internal_error", {"reason": f"the worker began with {message.type!r}, not ready"}


async def _next_message(proc, budget: float, limits: Limits) -> WorkerMessage:
    """The worker's next protocol line, or a synthetic timeout/crash message."""
    reader = asyncio.ensure_future(proc.stdout.readline())
    watcher = asyncio.ensure_future(_watch_memory(proc.pid, limits.memory_bytes))
    done, _ = await asyncio.wait(
        {reader, watcher}, timeout=budget, return_when=asyncio.FIRST_COMPLETED
    )
    watcher.cancel()
    if watcher in done:
        reader.cancel()
        return WorkerMessage(
            "crash", {"reason": f"exceeded the memory limit of {limits.memory_bytes >> 20} MiB"}
        )
    if reader not in done:
        reader.cancel()
        return WorkerMessage("timeout", {"reason": f"no verdict within {limits.timeout_s:.0f} s"})
    line = reader.result()
    if not line:
        await proc.wait()
        return WorkerMessage("crash", {"reason": describe_exit(proc.returncode)})
    return WorkerMessage.from_line(line.decode())


def _problem_fault(message: WorkerMessage, limits: Limits) -> str:
    if message.type == "timeout":
        return (
            f"the problem did not finish importing and making its inputs within "
            f"{min(limits.import_timeout_s, limits.timeout_s):.0f} s "
            "(an endless loop at import?)"
        )
    reason = message.payload.get("reason", "")
    if "memory" in reason:
        return f"the problem {reason} while importing and making its inputs"
    return (
        f"the problem ended the worker while importing ({reason.removeprefix('the worker ')}): "
        "a problem file must not call os._exit() or kill its process"
    )


async def _reap(proc) -> None:
    """Kill the worker's process tree, wait for it, and close our end of its stdin:
    a pipe left open kept the transport alive until garbage collection, after the
    event loop had closed ("RuntimeError: Event loop is closed" at every exit)."""
    kill_tree(proc.pid)
    await proc.wait()
    if proc.stdin is not None:
        proc.stdin.close()


async def _end(worker: _Worker) -> None:
    await _reap(worker.proc)
    sandboxes.remove_private_folder(worker.private)


def kill_tree(root: int) -> None:
    members = processes.tree(root)  # before the kill: orphans are re-parented at once
    try:
        os.killpg(root, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for pid in members:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


async def _watch_memory(root: int, limit: int) -> None:
    """Returns once the tree is over `limit` (`processes.tree_over`), polled every MEMORY_POLL_S."""
    while not processes.tree_over(root, limit):
        await asyncio.sleep(MEMORY_POLL_S)


def _read_tail(path: str, size: int = 4000) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(handle.tell() - size, 0))
            return handle.read().decode(errors="replace")
    except OSError:
        return ""
