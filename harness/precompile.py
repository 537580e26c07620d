"""Worker side: a candidate's kernels compiled without running, off the GPU gate.

Triton compiles a kernel on the CPU at its first launch (1-2 s a kernel; the
median evaluation on an H200 spent 1.7 s compiling). The first call used to run
inside the shared phase (harness/gpu_gate.py GpuGate), and a timer waits for every
sharer to leave: each candidate's compile held up every timed run queued behind
it. Launched inside a CUDA-graph capture, the same call compiles every kernel,
and every launch, Triton's or a library's, is recorded instead of run. Nothing
reaches the device, so the worker gives its shared grant back for the call and
timers need not wait for its compile.

The capture is thrown away unreplayed. A forward that cannot be captured (it
synchronises, copies from the host, reads a value, times configs as an
autotuner does) ends the capture with an error; the caller then makes the
ordinary first call in the shared phase, as before, so a capture's failure is
never a verdict.
"""

from __future__ import annotations

import contextlib
import copy
import enum
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import torch

# An honest forward's capture launches its kernels once and compiles each (1-2 s a
# kernel). An endless loop under the capture records launches until the worker's host
# memory runs out: tests/cheats/timeout_loop.py got `crash` ("exceeded the memory limit",
# 8 GiB reached some 20 s into its capture) on an H200 where it should time out. So the
# capture is given up once it has run this long or grown the process by this much, and
# the ordinary first call runs, where such a loop times out.
CAPTURE_DEADLINE_S = 20.0
CAPTURE_GROWTH_BYTES = 2 << 30
_CHECK_EVERY_S = 0.25


class CaptureTooLong(BaseException):
    """Raised into the capture at its deadline: a BaseException, so a candidate's own
    `except Exception` does not swallow it and capture on."""


class Precompiled(enum.Enum):
    YES = "compiled under a capture"
    NO = "not capturable: the first call runs in the shared phase"
    # A tensor made during the capture outlived it (a cache in the candidate's module,
    # say): its contents were never computed, so the module must be loaded afresh.
    TAINTED = "a tensor made under the capture outlived it"


def compile_off_the_gate(
    model: Any, inputs: list, device: torch.device, channel: Any
) -> Precompiled:
    """Calls a copy of `model` on `inputs` under a CUDA-graph capture, with the
    worker's shared grant given back for the call."""
    if device.type != "cuda" or not hasattr(channel, "leave_gpu"):
        return Precompiled.NO
    generator = torch.cuda.default_generators[device.index or 0]
    if not hasattr(generator, "graphsafe_set_state"):
        return Precompiled.NO
    try:
        scratch = copy.deepcopy(model)  # a candidate counting its calls sees no extra one
    except Exception:  # noqa: BLE001 - not copyable: the ordinary pass decides
        return Precompiled.NO
    torch.cuda.synchronize(device)  # what the worker queued so far ran in its shared turn
    before = torch.cuda.memory_allocated(device)
    channel.leave_gpu()
    # The capture registers the device's RNG state and marks it capturing; a capture
    # that fails never unmarks it, and every later random draw then raised ("Offset
    # increment outside graph capture", in the next trial's get_inputs on an H200).
    # So the capture gets a copy of the state, and the worker keeps its own.
    own_rng = generator.graphsafe_get_state()
    generator.graphsafe_set_state(generator.clone_state())
    graph = _unreplayable_graph()
    try:
        # "relaxed": a first launch loads its module and sets its attributes while
        # the stream captures; those calls are not stream work and are allowed.
        with (
            bounded(CAPTURE_DEADLINE_S, CAPTURE_GROWTH_BYTES),
            torch.no_grad(),
            torch.cuda.graph(graph, capture_error_mode="relaxed"),
        ):
            scratch(*inputs)
        captured = True
    except (Exception, CaptureTooLong):  # noqa: BLE001 - the ordinary first call decides
        captured = False
    finally:
        del graph, scratch  # never replayed: its launches and its outputs go unrun
        generator.graphsafe_set_state(own_rng)
        channel.share_gpu()
    torch.cuda.synchronize(device)  # a failed capture leaves no error behind it
    if torch.cuda.memory_allocated(device) > before:
        return Precompiled.TAINTED
    return Precompiled.YES if captured else Precompiled.NO


def _unreplayable_graph() -> torch.cuda.CUDAGraph:
    """A graph whose capture is never instantiated: torch's capture_end otherwise
    builds the executable graph at once, and for an endless loop's capture (millions of
    recorded launches, given up by `bounded`) that build alone can outgrow the worker's
    memory limit. The capture is only ever thrown away, so nothing needs it built."""
    try:
        return torch.cuda.CUDAGraph(keep_graph=True)
    except TypeError:  # a torch before keep_graph: built at capture_end, as before
        return torch.cuda.CUDAGraph()


@contextlib.contextmanager
def bounded(seconds: float, growth_bytes: int) -> Iterator[None]:
    """Raises CaptureTooLong into the block once it has run `seconds` or grown this
    process's resident memory by `growth_bytes` (checked on a real-time timer, so in the
    main thread only; elsewhere the block runs unbounded, as before). A timer already
    set (pytest-timeout's, in tests) is given back what is left of it after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    started, resident = time.monotonic(), _resident_bytes()

    def check(signum: int, frame: Any) -> None:
        if time.monotonic() - started > seconds:
            raise CaptureTooLong(f"still capturing after {seconds:g} s")
        if _resident_bytes() - resident > growth_bytes:
            raise CaptureTooLong(f"the capture grew the process by {growth_bytes >> 20} MiB")

    previous = signal.signal(signal.SIGALRM, check)
    # System calls the timer interrupts restart (the CUDA driver's and Triton's compiler
    # calls made under the capture); the check itself runs at the next Python step.
    signal.siginterrupt(signal.SIGALRM, False)
    earlier, _ = signal.setitimer(signal.ITIMER_REAL, _CHECK_EVERY_S, _CHECK_EVERY_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if earlier:
            left = earlier - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


def _resident_bytes() -> int:
    """This process's resident set (Linux; 0 elsewhere, where only the time bounds)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
