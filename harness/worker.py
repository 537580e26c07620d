"""The worker process: one job, then exit.

Started by `harness.pool` as `python -m kernelwright.harness.worker` in its
own process group. The request arrives as one JSON line on stdin. The worker
keeps a private duplicate of its original stdout for protocol messages and
points fds 1 and 2 at a log file before any problem or candidate code runs, so
nothing the candidate prints can pose as a verdict.

An evaluation's worker (`--judge`) never runs the candidate itself: it forks a
runner once torch is imported, relays its GPU requests, and judges the
verdict it claims (harness/judge.py). Profile, capture and peaks jobs run no
candidate code and are handled here directly.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import threading
import time
import traceback
from typing import Any, TextIO

from kernelwright.harness import judge, memory
from kernelwright.harness.messages import (
    COMPILE_HARNESS_KERNELS_FLAG,
    GO_TIMING,
    HARNESS_KERNELS_CACHED_ENV,
    STRAYS_ENDED_FLAG,
    WORKER_READY,
    YIELD_GPU,
    JobKind,
    JobRequest,
    WorkerMessage,
)


class Channel:
    def __init__(self, stream: TextIO, requests: TextIO):
        self._stream = stream
        self._requests = requests
        self._granted: str | None = None  # None, "shared" or "exclusive"

    def send(self, kind: str, payload: dict[str, Any] | None = None) -> None:
        self._stream.write(WorkerMessage(kind, payload or {}).to_line())
        self._stream.flush()

    def share_gpu(self) -> None:
        """Asks to use the GPU alongside other compiling and verifying workers.

        Granted whenever no timed run is on the device; lasts until this worker
        asks to time (`wait_for_gpu`) or gives its verdict.
        """
        if self._granted is None:
            self._ask("ready_for_gpu")
            self._granted = "shared"

    def leave_gpu(self) -> None:
        """Gives a shared grant back while this worker runs nothing on the GPU
        (harness/precompile.py), so timed runs need not wait for it; `share_gpu`
        asks again."""
        if self._granted == "shared":
            self._ask("left_gpu")
            self._granted = None

    def yield_gpu(self) -> None:
        """Between two verification trials: a timed run waiting for the GPU goes
        first, and the shared grant comes back after it (at once when none waits)."""
        if self._granted == "shared":
            self._ask(YIELD_GPU)

    def wait_for_gpu(self) -> None:
        """Asks for the GPU alone; the grant lasts until this worker's verdict.

        Everything that runs kernels to be timed waits its turn here, so no
        other worker's kernels share the device with a timed run.
        """
        if self._granted != "exclusive":
            self._ask("ready_to_time")
            self._granted = "exclusive"
            _raise_priority()

    def relay(self, message: str) -> None:
        """The judge asks on its runner's behalf (harness/judge.py)."""
        self._ask(message)

    def _ask(self, message: str) -> None:
        self.send(message)
        line = self._requests.readline()
        if line != GO_TIMING:
            raise SystemExit("parent closed the channel before granting the GPU")


def _raise_priority() -> None:
    """The timed thread launches kernels: others compiling on the same cores must
    not delay it (nice is per thread on Linux; raising it needs root, else no-op)."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, -10)
    except (OSError, AttributeError):
        pass


def _exit_with_parent() -> None:
    """End this worker (and its process group) once whoever started it is gone.

    The parent holds the only write end of this worker's stdin, so the pipe
    hangs up exactly when the parent dies, however it dies. bubblewrap's
    --die-with-parent and setpriv's --pdeathsig (harness/sandbox.py) cover the
    same case from outside, but race a parent killed between fork and their
    prctl: a search killed under load left workers running (tests/cpu/test_resume.py).
    Polling for the hang-up reads nothing, so requests still reach the job."""

    def watch() -> None:
        poller = select.poll()
        poller.register(0, 0)  # no events asked: hang-ups and errors are always reported
        while True:
            for _, event in poller.poll():
                if event & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                    with contextlib.suppress(OSError):
                        os.killpg(os.getpgrp(), signal.SIGKILL)
                    os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _isolate_output(log_path: str | None) -> TextIO:
    private = os.fdopen(os.dup(1), "w", buffering=1)
    target = os.open(log_path or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(target, 1)
    os.dup2(target, 2)
    os.close(target)
    sys.stdout = os.fdopen(1, "w", buffering=1)
    sys.stderr = os.fdopen(2, "w", buffering=1)
    return private


def main() -> int:
    # `--judge`: an evaluation's worker, which forks a runner and judges what it says
    # (harness/judge.py). Without it: a job that runs no candidate code (profile, capture).
    _exit_with_parent()
    args = sys.argv[1:]
    log_path = args[args.index("--log") + 1] if "--log" in args else None
    judging = "--judge" in args
    if COMPILE_HARNESS_KERNELS_FLAG in args:
        if log_path:
            _isolate_output(log_path)
        return _compile_harness_kernels()
    # The log comes first, then the imports: torch's and triton's warnings belong in
    # it, and a pool's spare worker has torch imported before its request arrives.
    private = _isolate_output(log_path) if log_path else None
    if private is not None:
        from kernelwright.harness import jobs  # noqa: F401  (the import is the point)
    runner = None
    if judging:
        # Forked here: after the imports, before either process makes a CUDA context.
        runner = judge.start_runner(log_path, _serve_as_runner)
        # The driver's JIT cache (HOME/.nv, in the private folder) is the runner's to
        # write: the judge, forked off already, compiles any PTX itself.
        os.environ["CUDA_CACHE_DISABLE"] = "1"
    if private is not None:
        _start_cuda(compares=judging)
    return _serve(private, runner)


def _serve_as_runner(protocol_fd: int) -> int:
    """The forked runner (harness/judge.py `start_runner`): it reads its request from
    the judge on stdin and answers on `protocol_fd`; fds 1 and 2 are the log already."""
    _exit_with_parent()  # the judge's watcher thread did not come across the fork
    sys.stdin = open(0, closefd=False)  # noqa: SIM115  (fd 0 is the judge's pipe, for good)
    private = os.fdopen(protocol_fd, "w", buffering=1)
    _start_cuda(compares=True)
    return _serve(private, None, running=True)


def _serve(private: TextIO | None, runner: judge.Runner | None, running: bool = False) -> int:
    """One request, one reply, then exit. `running`: this is the runner, which runs
    the candidate itself; a judge with a `runner` relays an evaluation to it."""
    if private is not None and not running:  # the pool's worker, not the judge's runner
        private.write(WorkerMessage(WORKER_READY).to_line())
        private.flush()
    line = sys.stdin.readline()
    if not line:  # a spare the pool never used
        os._exit(0)
    request = JobRequest.from_json(line)
    channel = Channel(private or _isolate_output(request.log_path), sys.stdin)
    try:
        if request.kind == JobKind.EVAL.value and not running:
            if runner is None:  # a judge started without its flag: fork the runner now
                runner = judge.start_runner(request.log_path, _serve_as_runner)
            result = _judged(request, channel, runner)
        else:
            if runner is not None:
                judge.end_runner(runner)
            result = _handle(request, channel)
    except _Reply as reply:
        channel.send(reply.kind, reply.payload)
        return 0
    channel.send("result", result)
    sys.stdout.flush()
    # Skip interpreter teardown: a candidate's atexit hooks or CUDA context
    # destructors must not get a chance to hang or crash after the verdict.
    os._exit(0)


def _start_cuda(compares: bool) -> None:
    """A spare makes its CUDA context while it waits for a request: under eight searches
    at once a context took seconds to make, and every evaluation's judge and runner
    made one on the way to its verdict. Only where the pool gave this worker a GPU.
    An evaluation's workers (`compares`) also compile the comparison and digest kernels."""
    if not os.environ.get("CUDA_VISIBLE_DEVICES") or os.environ.get("KERNELWRIGHT_LAZY_CUDA"):
        return  # no GPU, or a capture's worker (harness/pool.py LAZY_CUDA_ENV)
    began = time.monotonic()
    import torch

    with contextlib.suppress(Exception):  # no usable GPU: the job finds out and says so
        if torch.cuda.is_available():
            torch.empty(1, device="cuda")
            context = time.monotonic()
            if compares:
                from kernelwright.harness import compare_kernel, digest_kernel, verify

                # Loaded from the trusted copy where the pool installed one
                # (harness/kernel_cache.py), else compiled here: either way before the
                # runner has run, so the judge compiles none of them after it.
                cached = bool(os.environ.get(HARNESS_KERNELS_CACHED_ENV))
                compare_kernel.warm(torch.device("cuda"))
                digest_kernel.warm(torch.device("cuda"), verify.HASH_KEYS)
                # in the log: what a spare's start spent (scripts/spare_start_cost.py)
                print(
                    f"kernelwright worker {os.getpid()}: CUDA context "
                    f"{context - began:.2f} s, harness kernels {time.monotonic() - context:.2f} s "
                    f"({'loaded from the trusted copy' if cached else 'compiled'})",
                    file=sys.stderr,
                    flush=True,
                )


def _compile_harness_kernels() -> int:
    """The job whose Triton cache harness/kernel_cache.py publishes: the harness's own
    kernels (the comparison's and the digest's), compiled in this worker's private
    cache. It reads no request and imports no problem or candidate. Exit 0 only when
    all compiled."""
    import torch
    from kernelwright.harness import compare_kernel, digest_kernel, verify

    if not os.environ.get("CUDA_VISIBLE_DEVICES") or not torch.cuda.is_available():
        print("no usable GPU: nothing to compile", flush=True)
        return 1
    device = torch.device("cuda")
    compare_kernel.warm(device)
    digest_kernel.warm(device, verify.HASH_KEYS)
    torch.cuda.synchronize()
    return 0


class _Reply(Exception):
    """A final message other than a result: bad input, an internal error, a crash."""

    def __init__(self, kind: str, payload: dict[str, Any]) -> None:
        super().__init__(kind)
        self.kind, self.payload = kind, payload


def _handle(request: JobRequest, channel: Channel) -> dict[str, Any]:
    from kernelwright.harness import jobs
    from kernelwright.harness.loading import BadInput

    handler = {
        JobKind.EVAL.value: jobs.run_eval,
        JobKind.PROFILE.value: jobs.run_profile,
        JobKind.CAPTURE.value: jobs.run_capture,
        JobKind.PEAKS.value: jobs.run_peaks,
    }[request.kind]
    try:
        return handler(request, channel)
    except BadInput as err:
        raise _Reply("bad_input", {"reason": str(err)}) from None
    except Exception as err:
        raise _internal_error(request, err) from None


def _internal_error(request: JobRequest, err: Exception) -> _Reply:
    """The harness's own failure. Out of GPU memory, it says so, and the parent runs
    the job again alone rather than blame anyone (harness/evaluate.py)."""
    traceback.print_exc()
    payload = {"traceback": traceback.format_exc()[-4000:]}
    if memory.is_out_of_memory(err):
        payload["out_of_memory"] = memory.device_report(request.memory_estimate)
    return _Reply("internal_error", payload)


def _judged(request: JobRequest, channel: Channel, runner: judge.Runner) -> dict[str, Any]:
    """The runner evaluates; the judge decides (harness/judge.py)."""
    import tempfile
    from pathlib import Path

    outputs = Path(tempfile.mkdtemp(prefix="kw-outputs-"))
    try:
        message = judge.relay(request, channel, runner, outputs)
        if message.type == "result" and request.device == "cuda":
            # The judge's replay is a verification, not a measurement, and the runner's
            # kernels are done: the next timer may start while the runner is reaped.
            channel.relay("ready_for_gpu")
    except judge.RunnerFailed as err:
        raise _Reply("crash", {"reason": str(err)}) from None
    finally:
        # nothing of the candidate runs while the judge decides, and nothing it wrote
        # into the shared cache is read
        judge.end_runner(runner)
        strays = judge.end_strays()
        judge.fresh_kernel_cache()
    if message.type == "result":
        started = time.monotonic()
        try:
            shared = channel if request.device == "cuda" else None  # asked for above
            verdict = judge.judge(request, message.payload, outputs, shared)
        except Exception as err:
            raise _internal_error(request, err) from None
        # The judge's replay is part of every evaluation's wall time: say how much.
        seconds = verdict.get("seconds")
        verdict["seconds"] = {
            **(seconds if isinstance(seconds, dict) else {}),
            "judge": round(time.monotonic() - started, 3),
        }
        if strays:
            verdict["flags"] = [*verdict.get("flags", []), STRAYS_ENDED_FLAG]
        return verdict
    if message.type == "bad_input":  # the runner refused the problem before any candidate ran
        raise _Reply("bad_input", {"reason": str(message.payload.get("reason", "bad input"))})
    if message.type == "internal_error":
        raise _Reply("internal_error", message.payload)
    raise _Reply("crash", {"reason": f"the worker ended with an unknown message {message.type!r}"})


if __name__ == "__main__":
    sys.exit(main())
