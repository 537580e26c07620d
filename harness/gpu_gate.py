"""Parent side: who may use one GPU now, many verifying workers or one timer alone.

The pool (harness/pool.py) asks this gate on its workers' behalf when they say
`ready_for_gpu`, `ready_to_time`, `left_gpu` or `yield_gpu` (harness/worker.py Channel):
a sharer yields between verification trials, so a waiting timer starts within one
trial rather than after every sharer's whole verification.
Memory is not rationed here but before it (harness/admission.py).
"""

from __future__ import annotations

import asyncio
import collections

MAX_SHARERS = 16


class GpuGate:
    """Who may use one GPU now: many sharers, or one timer alone.

    Verifying ("shared") may overlap other verifying: it is judged on results,
    not speed. Compiling holds no place at all (`left_gpu`, harness/precompile.py). Timing ("exclusive") must have the device to
    itself, so nobody else's kernels sit in its measurement.

    Turns alternate in batches: when a shared phase drains, every timer then
    waiting runs, one after another; then every sharer then waiting enters at
    once (up to the cap). Served strictly in arrival order, the queue of a
    bench (sharer, timer, sharer, timer, ...) ran one job at a time: on an
    H200 with 17 searches each evaluation waited about 50 s for 3-4 s of GPU
    work. Neither side starves: a timer waits for at most one shared phase,
    which admits no newcomer while a timer waits; a sharer waits for at most
    one batch of timers. Memory is not this gate's to ration: each worker's
    inputs and outputs are admitted by size before it (harness/admission.py),
    since a worker waiting to time holds them too. The cap only bounds how many
    verifications contend for the device at once; at 6, a bench of eight
    searches kept two of its evaluations out of every shared phase.
    """

    def __init__(self, max_sharers: int = MAX_SHARERS):
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
COMPILING = "compiling"  # off the gate: harness/precompile.py
_GPU_GATES: dict[tuple[int, int], GpuGate] = {}


def gpu_gate(index: int) -> GpuGate:
    """One gate per GPU per event loop: pools of concurrent searches share it, so
    two timed runs never overlap on a device, nor a timed run and a verification."""
    key = (id(asyncio.get_running_loop()), index)
    if key not in _GPU_GATES:
        _GPU_GATES[key] = GpuGate()
    return _GPU_GATES[key]
