"""Worker side: verdicts come from a process that never runs candidate code.

An evaluation worker is two processes in one sandbox. The judge (the worker
the pool started, harness/worker.py) holds the only channel to the parent. It
forks the runner once torch is imported (`start_runner`), which loads and runs the
candidate through the whole pipeline as before, and talks to the judge alone:
its GPU requests are relayed, its result is data. The judge is not dumpable,
so the runner cannot reach its file descriptors through /proc.

What the runner reports is believed only where believing it cannot help a
cheat: a failure verdict passes through as it is. An `ok` is the judge's to
give: it loads the problem itself, replays the outputs the runner handed over
(harness/handover.py) through the same comparisons against its own reference,
and checks that the reported time is one this device could have achieved.
A candidate that forged an `ok` line (a wrong kernel writing into an inherited
pipe) gets `rejected`.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time
import warnings
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from kernelwright.harness import processes
from kernelwright.harness.memory import OUT_OF_MEMORY_FLAG, is_out_of_memory
from kernelwright.harness.messages import (
    CLAIM_REFUSED_FLAG,
    GO_TIMING,
    INPUTS_DIFFER_FLAG,
    OWN_PID_NAMESPACE_ENV,
    YIELD_GPU,
    EvalResult,
    JobRequest,
    Outcome,
    WorkerMessage,
    describe_exit,
)

PR_SET_DUMPABLE = 4
# The forked runner's end of its protocol pipe to the judge (`start_runner`).
RUNNER_PROTOCOL_FD = 3
# Above the measured copy figure by more than this, a reported time is not believed
# (profiling.above_peak lets honest read-mostly kernels pass the copy figure by 15%).
BANDWIDTH_MARGIN = 1.5


class RunnerFailed(Exception):
    """The runner ended without a verdict: its exit, described."""


class Runner:
    """The runner process, forked from the judge (`start_runner`): its pid, the pipe
    that carries its requests and grants, and the pipe its protocol lines come back on."""

    def __init__(self, pid: int, stdin: IO[str], stdout: IO[str]) -> None:
        self.pid, self.stdin, self.stdout = pid, stdin, stdout
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        """Its exit status as subprocess reports one (minus the signal that ended it);
        TimeoutError when it is still running after `timeout` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            pid, status = os.waitpid(self.pid, 0 if deadline is None else os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
            elif deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"the runner {self.pid} is still running")
            else:
                time.sleep(0.01)
        return self.returncode


def start_runner(log_path: str | None, serve: Callable[[int], int]) -> Runner:
    """The runner, forked once this judge has imported torch, before either makes a
    CUDA context (a context does not survive a fork). Each evaluation used to start a
    second interpreter that imported torch and dynamo again: some 6.5 s of a core per
    evaluation on the H200 machine, with eight searches' spares importing at once on
    16 cores (benchmarks/results/h200-2026-12-03-large-harness-startup).

    The runner keeps nothing of the judge's but its imports: stdin is the judge's
    request pipe, stdout and stderr the log, its protocol lines go to the judge on
    `serve`'s file descriptor, and every other descriptor (the judge's channel to the
    parent above all) is closed before any of its code runs. It leads its own session,
    so `end_runner` ends what it started too."""
    _set_dumpable(False)  # the runner cannot reach the judge's descriptors
    requests_read, requests_write = os.pipe()
    replies_read, replies_write = os.pipe()
    with warnings.catch_warnings():
        # Threads alive here: the judge's hang-up watcher (harness/worker.py), blocked in
        # poll, and OpenBLAS's pool, which re-forks itself through pthread_atfork.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        code = 70  # EX_SOFTWARE: the runner's setup failed
        try:
            os.setsid()
            log = os.open(log_path or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.dup2(requests_read, 0)
            os.dup2(log, 1)
            os.dup2(log, 2)
            os.dup2(replies_write, RUNNER_PROTOCOL_FD)
            os.closerange(RUNNER_PROTOCOL_FD + 1, os.sysconf("SC_OPEN_MAX"))
            _set_dumpable(True)  # as a freshly started runner was; the judge stays not
            code = serve(RUNNER_PROTOCOL_FD)
        finally:
            os._exit(code)
    os.close(requests_read)
    os.close(replies_write)
    return Runner(pid, os.fdopen(requests_write, "w", buffering=1), os.fdopen(replies_read, "r"))


def end_runner(runner: Runner) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(runner.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        runner.wait(10)


def end_strays() -> int:
    """Ends every process of this sandbox but the judge and the sandbox's init, and says
    how many there were. The runner leads its own session, and `end_runner` ends that; a
    process the candidate started with `setsid` is in neither and outlived it, free to
    rewrite what the judge reads next (a Triton cache entry, the compiler's temporary
    files) while the judge decides (tests/cheats/leaves_process.py).

    Only inside a PID namespace of the worker's own (the pool says so in the environment;
    the judge is then its first or second process): `kill(-1)` is every process this
    user may signal, which outside one would be the user's whole session."""
    if os.environ.get(OWN_PID_NAMESPACE_ENV) != "1" or os.getpid() > 2:
        return 0
    ended: set[int] = set()
    deadline = time.monotonic() + STRAYS_DEADLINE_S
    while time.monotonic() < deadline:
        alive = _other_processes()
        if not alive:
            break
        ended |= alive
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(-1, signal.SIGKILL)  # all at once: a forking stray cannot outrun a list
        _reap()
        time.sleep(0.01)
    return len(ended)


# How long `end_strays` keeps killing: a stray forking as fast as it can is still ended
# within it (each pass kills what the last one missed).
STRAYS_DEADLINE_S = 5.0


def _other_processes() -> set[int]:
    """Live processes of this PID namespace other than this one and its init (a zombie
    has ended: its parent, the init or this judge, reaps it)."""
    me = os.getpid()
    return {pid for pid in processes.all_pids() if pid not in (1, me) and processes.running(pid)}


def _reap() -> None:
    """Waits for this process's ended children: under `unshare` the judge is the
    namespace's init, and the strays are reparented to it."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def fresh_kernel_cache() -> None:
    """Points Triton's on-disk cache at a new, empty folder, made after the runner and its
    strays have ended. The runner shared the judge's folder, so a kernel the judge compiles
    from now on (its own reference's, or the comparison's for another dtype) could load
    a binary the candidate left there under that kernel's key. Triton reads the variable
    each time it opens a cache (triton.knobs); the kernels compiled so far stay in memory."""
    import tempfile

    os.environ["TRITON_CACHE_DIR"] = tempfile.mkdtemp(prefix="kw-judge-triton-")


def _set_dumpable(dumpable: bool) -> None:
    """Not dumpable, /proc/<pid>/fd needs CAP_SYS_PTRACE, which the sandbox has dropped."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, int(dumpable), 0, 0, 0)


def relay(request: JobRequest, channel: Any, runner: Runner, outputs: Path) -> WorkerMessage:
    """Runs the request in the runner, relaying its GPU requests; returns its last word."""
    runner.stdin.write(replace(request, outputs_dir=str(outputs)).to_json() + "\n")
    runner.stdin.flush()
    for line in runner.stdout:
        try:
            message = WorkerMessage.from_line(line)
        except (ValueError, KeyError, TypeError):
            continue  # not a protocol line: the runner's own noise
        if message.type == "progress":
            channel.send("progress", message.payload)
        elif message.type in ("ready_for_gpu", "ready_to_time", "left_gpu", YIELD_GPU):
            channel.relay(message.type)
            runner.stdin.write(GO_TIMING)
            runner.stdin.flush()
        else:
            return message
    code = runner.wait()
    raise RunnerFailed(describe_exit(code))


def judge(
    request: JobRequest, claimed: dict[str, Any], outputs: Path, channel: Any = None
) -> dict[str, Any]:
    """The verdict, from the runner's claim and the judge's own checks. `channel`: the
    judge's own to the parent, which holds a shared GPU grant; None where it holds none."""
    try:
        result = EvalResult.from_dict(claimed) if isinstance(claimed, dict) else None
    except TypeError:  # fields missing or of the wrong kind
        result = None
    if result is None or result.outcome not in {o.value for o in Outcome}:
        return _rejected(request, "the runner's result was not a verdict", claimed)
    if result.outcome != Outcome.OK.value:
        return result.to_dict()  # a failure the candidate reports of itself helps no cheat
    from kernelwright.harness.handover import InputsDiffer
    from kernelwright.harness.pipeline import EvalPipeline
    from kernelwright.harness.static_checks import find_cheats

    # The GPU is shared again by now (harness/worker.py asked before reaping the runner).
    pipeline = EvalPipeline(request, _Silent(channel))
    pipeline.load_reference()
    # The runner judged plain-TF32 products after the candidate was loaded; the
    # judge decides them again when its own reference is traced (pipeline.py).
    pipeline.tf32_findings = [
        f
        for f in find_cheats(
            request.candidate_source or "", pipeline.fp32, request.problem_source or ""
        )
        if f.unless_reference_tf32
    ]
    try:
        reason = (
            check_outputs(request, outputs, pipeline)
            or check_shapes(result, outputs)
            or check_timing(request, result, pipeline)
        )
    except InputsDiffer as err:
        reason = (
            f"its outputs fail the judge's check on inputs other than the runner says it "
            f"verified on (their digests differ), which says nothing of the candidate: {err}"
        )
        return _rejected(request, reason, claimed, result, INPUTS_DIFFER_FLAG)
    if reason:
        return _rejected(request, reason, claimed, result)
    return result.to_dict()


def check_outputs(request: JobRequest, outputs: Path, pipeline: Any) -> str | None:
    """None when the handed-over outputs pass the harness's comparison, else why not."""
    from kernelwright.harness.handover import InputsDiffer, ReplayedCandidate, handed_over_calls
    from kernelwright.harness.verdicts import Verdict

    try:
        calls = handed_over_calls(outputs)
    except (ValueError, KeyError, TypeError) as err:
        return f"its outputs' manifest could not be read ({type(err).__name__})"
    expected = request.trial_seeds()
    if not calls or calls[0]["seeds"] != expected or not calls[0]["first"]:
        return "the candidate's verification outputs never reached the judge"
    for call in calls:
        pipeline.candidate = ReplayedCandidate(call["files"], pipeline.device)
        try:
            pipeline.verify_trials(call["seeds"], first=call["first"], shape=call["shape"])
        except Verdict as verdict:
            if OUT_OF_MEMORY_FLAG in verdict.flags:  # loading the outputs: the judge's memory
                raise verdict.__cause__ or verdict
            return f"its verification outputs fail the judge's own check: {verdict.message}"
        except InputsDiffer:
            raise  # no verdict on the candidate either way: judge() says so
        except Exception as err:  # unreadable or forged files
            if is_out_of_memory(err):  # the judge's own comparison: no verdict on the candidate
                raise
            return f"its verification outputs could not be read: {type(err).__name__}: {err}"
    return None


def check_shapes(result: EvalResult, outputs: Path) -> str | None:
    """A derived shape reported `verified` has its trial among the replayed calls (the
    report tells the user at which shapes the kernel runs: harness/derived_shapes.py)."""
    from kernelwright.harness.handover import handed_over_calls

    claimed = (result.correctness or {}).get("shapes") or []
    verified = sum(1 for entry in claimed if entry.get("status") == "verified")
    replayed = sum(1 for call in handed_over_calls(outputs) if call["shape"] is not None)
    if verified != replayed:
        return f"it reports {verified} other shape(s) verified and handed over {replayed}"
    return None


def check_timing(request: JobRequest, result: EvalResult, pipeline: Any) -> str | None:
    """A reported time shorter than moving the problem's bytes at the device's measured
    copy rate takes is not believed (the runner's clock is the candidate's to patch).
    The bytes are the judge's own count, from its own reference."""
    import torch
    from kernelwright.harness import profiling
    from kernelwright.harness.pipeline import seeded_inputs

    timing, copy_gbps = result.timing or {}, (request.peaks or {}).get("copy_gbps")
    if not (timing.get("median_ms") and copy_gbps):
        return None
    inputs = seeded_inputs(pipeline.problem, request.seed, pipeline.device)
    with torch.no_grad():
        out = pipeline.reference(*inputs)
    nbytes = profiling.unique_bytes(pipeline.reference, inputs, out)
    floor_ms = nbytes / (copy_gbps * 1e9 * BANDWIDTH_MARGIN) * 1e3
    if timing["median_ms"] < floor_ms:
        return (
            f"its reported time {timing['median_ms']:.4f} ms is shorter than moving its "
            f"{nbytes / 1e6:.1f} MB at this device's copy rate allows ({floor_ms:.4f} ms)"
        )
    return None


def _rejected(
    request: JobRequest,
    reason: str,
    claimed: Any,
    result: EvalResult | None = None,
    *also: str,
) -> dict[str, Any]:
    claim = claimed.get("outcome") if isinstance(claimed, dict) else None
    verdict = EvalResult(
        outcome=Outcome.REJECTED.value,
        message=f"the runner said {claim!r}, but {reason}",
        device=(result.device if result else request.device),
        correctness=result.correctness if result else None,
        flags=[*(result.flags if result else []), CLAIM_REFUSED_FLAG, *also],
        versions=result.versions if result else None,
    )
    return verdict.to_dict()


class _Silent:
    """The judge's pipeline asks for nothing: the shared grant the judge asked for before
    it reaped its runner (harness/worker.py) still stands. Between trials it lets a
    waiting timer go first, as the runner does (messages.YIELD_GPU)."""

    def __init__(self, channel: Any = None) -> None:
        self._channel = channel

    def yield_gpu(self) -> None:
        if self._channel is not None:
            self._channel.relay(YIELD_GPU)

    def send(self, kind: str, payload: dict | None = None) -> None:
        pass

    def share_gpu(self) -> None:
        pass

    def wait_for_gpu(self) -> None:
        pass
