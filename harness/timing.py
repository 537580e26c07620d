"""Worker side: honest timings (DESIGN.md "Timing").

GPU: CUDA events; warm-up long enough to absorb JIT and autotuning; an L2
flush of at least twice the L2 before every repetition; inputs rotated over
several copies at different addresses; the contenders (candidate, eager,
torch.compile) alternate repetition by repetition so clock and thermal drift
hit all of them alike; stop when every contender's relative standard error of
the mean is under the target and it has MIN_MEASURED_MS of samples, or at a
cap. A short GPU-side spin before each start event keeps the CPU's launch
delays out of the measurement. Each repetition's elapsed time is read only after a device-wide
synchronize, so work left on any stream is done before the next repetition
starts.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch
from kernelwright.harness.memory import timing_input_sets
from kernelwright.harness.persisting_l2 import PersistingL2

MIN_REPS = 10
# Short kernels are noisy one launch at a time: a 70 µs kernel's median over 10
# repetitions moved 3% between runs on an H200. Keep sampling until each
# contender has this much measured GPU time, so short kernels get hundreds of
# repetitions and long ones stop at MIN_REPS.
MIN_MEASURED_MS = 40.0
# Before each start event the GPU spins this long, so the CPU queues the start
# event, the call and the end event while the GPU waits: a launching thread
# that the OS descheduled (other workers compile on the same cores) does not
# put its delay into the measurement. On an H100 with compiling neighbours,
# timings without it drifted 6-30% between runs of the same candidate.
LAUNCH_SLACK_MS = 0.25
SPIN_CLOCK_HZ = 2.0e9  # about Hopper's boost clock; a slower clock only spins longer
WARMUP_MS = 100.0  # covers Triton JIT and autotune passes on the first calls
TIME_CAP_S = 20.0  # per timing session, all contenders together


@dataclass
class Sample:
    times_ms: list[float]

    def summary(self, method: str) -> dict[str, Any]:
        ordered = sorted(self.times_ms)
        if len(ordered) >= 4:
            q1, _, q3 = statistics.quantiles(ordered, n=4)
        else:
            q1 = q3 = ordered[len(ordered) // 2]
        return {
            "median_ms": statistics.median(ordered),
            "iqr_ms": q3 - q1,
            "n": len(ordered),
            "method": method,
        }

    def relative_standard_error(self) -> float:
        if len(self.times_ms) < 2:
            return math.inf
        mean = statistics.fmean(self.times_ms)
        return statistics.stdev(self.times_ms) / math.sqrt(len(self.times_ms)) / mean


def _input_copies(inputs: list, nbytes: int) -> list[list]:
    """Several copies of the inputs, so repetitions do not reuse one address set."""
    copies = timing_input_sets(nbytes)  # counted in the job's memory footprint
    sets = [inputs]
    for _ in range(copies - 1):
        sets.append([x.clone() if isinstance(x, torch.Tensor) else x for x in inputs])
    return sets


def input_bytes(inputs: list) -> int:
    """Bytes the tensors span, each storage counted once.

    A tensor may be a small view of a large storage: F.mse_loss returns a
    0-d result that keeps its 128 MiB intermediate's storage alive. Counting
    storages made an honest loss kernel look 123% as fast as the device's
    copy bandwidth, and the harness rejected it. So per storage, count the
    extent its views reach.
    """
    extents: dict[int, tuple[int, int, int]] = {}
    for x in inputs:
        if not isinstance(x, torch.Tensor) or x.numel() == 0:
            continue
        storage = x.untyped_storage()
        size = x.element_size()
        first = int(x.storage_offset()) * size  # typed int | SymInt; an int outside tracing
        span = 1 + sum((int(n) - 1) * abs(st) for n, st in zip(x.shape, x.stride()))
        last = min(first + span * size, storage.nbytes())
        key = storage.data_ptr()
        lo, hi, cap = extents.get(key, (first, last, storage.nbytes()))
        extents[key] = (min(lo, first), max(hi, last), cap)
    return sum(hi - lo for lo, hi, _ in extents.values())


def time_cuda(
    contenders: Mapping[str, Callable[..., Any]],
    inputs: list,
    max_reps: int = 2000,
    target_rse: float = 0.01,
) -> dict[str, dict[str, Any]]:
    """Median/IQR per contender, timed alternately with CUDA events and an L2 flush."""
    device = torch.device("cuda", torch.cuda.current_device())
    l2_bytes = getattr(torch.cuda.get_device_properties(device), "L2_cache_size", 64 << 20)
    flush = torch.empty(max(2 * l2_bytes, 256 << 20), dtype=torch.uint8, device=device)
    persisting = PersistingL2()
    emptied = persisting.empty()  # no lines may survive the flush (harness/persisting_l2.py)
    input_sets = _input_copies(inputs, input_bytes(inputs))
    for fn in contenders.values():
        _warm_up(fn, input_sets[0], device)
    samples = {name: Sample([]) for name in contenders}
    start_wall = time.perf_counter()
    spin = _gpu_spin()
    for rep in range(max_reps):
        args = input_sets[rep % len(input_sets)]
        for name, fn in contenders.items():
            if emptied:
                persisting.reset_lines()
            flush.zero_()
            spin()
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn(*args)
            end.record()
            torch.cuda.synchronize()  # device-wide: nothing may still be running anywhere
            samples[name].times_ms.append(start.elapsed_time(end))
        if rep + 1 >= MIN_REPS and all(
            s.relative_standard_error() < target_rse and sum(s.times_ms) >= MIN_MEASURED_MS
            for s in samples.values()
        ):
            break
        if time.perf_counter() - start_wall > TIME_CAP_S:
            break
    del flush
    summaries = {name: s.summary("cuda-events+l2-flush") for name, s in samples.items()}
    for summary in summaries.values():
        # what the contenders left set aside: anything above zero, one of them set it
        summary["persisting_l2"] = {"emptied": emptied, "after": persisting.carve_out()}
    return summaries


def _gpu_spin() -> Callable[[], None]:
    sleep = getattr(torch.cuda, "_sleep", None)
    cycles = int(LAUNCH_SLACK_MS * 1e-3 * SPIN_CLOCK_HZ)
    if sleep is None:  # private API: without it, the flush alone gives the CPU its lead
        return lambda: None
    return lambda: sleep(cycles)


def _warm_up(fn: Callable[..., Any], args: list, device: torch.device) -> None:
    """At least 3 calls and WARMUP_MS of the GPU's time, each call waited for.

    Unsynchronised, the loop measured how fast the CPU queues launches: it queued
    up to 1000 calls in its 100 ms, and a 1 GB layer norm's eager 8 ms call then
    held the GPU for 9 s of warm-up (on an H200, eight searches queued behind it).
    """
    fn(*args)
    torch.cuda.synchronize(device)
    begin = time.perf_counter()
    runs = 0
    while runs < 3 or (time.perf_counter() - begin) * 1e3 < WARMUP_MS:
        fn(*args)
        torch.cuda.synchronize(device)
        runs += 1
        if runs >= 1000:
            break


def time_cpu(
    contenders: Mapping[str, Callable[..., Any]],
    inputs: list,
    max_reps: int = 50,
    target_rse: float = 0.01,
) -> dict[str, dict[str, Any]]:
    """Wall-clock medians on the CPU, alternating contenders."""
    for fn in contenders.values():
        fn(*inputs)
    samples = {name: Sample([]) for name in contenders}
    start_wall = time.perf_counter()
    for _ in range(max_reps):
        for name, fn in contenders.items():
            begin = time.perf_counter()
            fn(*inputs)
            samples[name].times_ms.append((time.perf_counter() - begin) * 1e3)
        if len(next(iter(samples.values())).times_ms) >= 5 and all(
            s.relative_standard_error() < target_rse for s in samples.values()
        ):
            break
        if time.perf_counter() - start_wall > TIME_CAP_S / 2:
            break
    return {name: s.summary("perf_counter") for name, s in samples.items()}
