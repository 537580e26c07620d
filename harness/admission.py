"""Parent side: GPU memory as a managed resource, one ledger per device.

On an H200, `bench --concurrency 8` left five of sixteen problems with 4-7 GB
inputs without a verified kernel: their evaluations ran out of memory beside
each other and beside another process that held 108 GiB. So a job enters a
device only when its footprint (harness/memory.py) fits beside the jobs
already there; otherwise it waits in the queue, which is not a failure.

A job fits when two views agree:

- the ledger: the device's total, less what other processes used when a probe
  last found none of our jobs there (nor one just released, whose memory the
  device may not have back yet), less the margin, holds the estimates of
  every admitted job and this one. Free memory alone would let a second job in
  before the first had allocated anything;
- the probe: the memory free now (nvidia-smi) holds this one and the margin.
  It sees what other processes took since, and any of our jobs that outgrew
  its estimate.

A job asks once its worker is ready (messages.WORKER_READY: imported, CUDA context
made) and holds its place until its worker has been reaped: a worker keeps its
memory until it exits, also while it waits for its turn to time
(gpu_gate.GpuGate), so admission is separate from that gate.

Jobs are admitted in arrival order: one that does not fit holds back those
behind it, so small jobs cannot starve a large one. A job asked to run alone
(a retry after an out-of-memory error, or one whose footprint is unknown)
waits until no other job is on the device, and no job joins it while it runs.
So does a job larger than all the device can give us, which may then run out
of memory honestly. Without a probe (a CPU, or no nvidia-smi) only `alone` is
enforced.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

# The probe is a snapshot: other processes allocate between probes, and each new
# CUDA context needs room the estimates leave to the driver.
ADMISSION_MARGIN_BYTES = 2 << 30
# A job at the head of the queue probes again this often while nothing of ours ends:
# another process may free its memory, and a reaped worker's memory returns to the
# device while its process is torn down, after its booking was released.
REPROBE_S = 0.5
# Free memory read this soon after one of our jobs was released may still count that
# job's memory. Other processes' use is measured only when none of ours is on the
# device, and, once known, only after this long without a release: measured during a
# teardown, a 30 GB evaluation's memory was held against every later job. With eight
# searches on an H200, evaluations then waited 14 s for memory while they had booked
# 61 of its 139 GB on average (benchmarks/results/h200-2026-12-04-bench-large-one-input-set).
RELEASE_SETTLE_S = 5.0
PROBE_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class MemoryInfo:
    free: int
    total: int


Probe = Callable[[], Awaitable[MemoryInfo | None]]


@dataclass(eq=False)
class Admitted:
    """A job's place on the device; handed back to `release`."""

    nbytes: int
    alone: bool


@dataclass(eq=False)
class _Ticket:
    nbytes: int | None
    alone: bool
    wake: asyncio.Event = field(default_factory=asyncio.Event)


class DeviceMemory:
    """Which jobs may be on one device now, by their memory footprints."""

    def __init__(self, probe: Probe | None = None, margin: int = ADMISSION_MARGIN_BYTES):
        self.probe, self.margin = probe, margin
        self.admitted: list[Admitted] = []
        self.others: int | None = None  # bytes other processes held when we held none
        self._released_at = float("-inf")  # time.monotonic() of the last release
        self._queue: collections.deque[_Ticket] = collections.deque()

    @property
    def waiting(self) -> int:
        return len(self._queue)

    async def acquire(self, nbytes: int | None, alone: bool = False) -> Admitted:
        """Waits until a job of `nbytes` (None: unknown, not checked) may enter."""
        ticket = _Ticket(nbytes, alone)
        self._queue.append(ticket)
        try:
            while True:
                ticket.wake.clear()  # before deciding: a release during the probe wakes it again
                head = self._queue[0] is ticket
                if head:
                    admitted = await self._admit(ticket)
                    if admitted is not None:
                        return admitted
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(ticket.wake.wait(), REPROBE_S if head else None)
        finally:
            if ticket in self._queue:  # cancelled: its place may have held others back
                self._queue.remove(ticket)
                self._wake_head()

    def release(self, admitted: Admitted) -> None:
        self.admitted.remove(admitted)
        self._released_at = time.monotonic()
        self._wake_head()

    def _wake_head(self) -> None:
        if self._queue:
            self._queue[0].wake.set()

    async def _admit(self, ticket: _Ticket) -> Admitted | None:
        alone = await self._decide(ticket)
        if alone is None:
            return None
        admitted = Admitted(ticket.nbytes or 0, alone)
        self.admitted.append(admitted)
        self._queue.remove(ticket)
        self._wake_head()  # the next job may fit beside this one
        return admitted

    async def _decide(self, ticket: _Ticket) -> bool | None:
        """None: not yet. Otherwise whether the job enters alone."""
        if any(a.alone for a in self.admitted):
            return None
        if ticket.alone:
            return None if self.admitted else True
        if ticket.nbytes is None or self.probe is None:
            return False
        info = await self._read()
        if info is None:
            return False
        settled = time.monotonic() - self._released_at >= RELEASE_SETTLE_S
        if not self.admitted and (self.others is None or settled):
            self.others = info.total - info.free
        usable = info.total - (self.others or 0) - self.margin
        if ticket.nbytes > usable:  # never fits beside anything: alone, and let it try
            return None if self.admitted else True
        booked = sum(a.nbytes for a in self.admitted)
        fits = booked + ticket.nbytes <= usable and ticket.nbytes + self.margin <= info.free
        return False if fits else None

    async def _read(self) -> MemoryInfo | None:
        if self.probe is None:
            return None
        try:
            return await self.probe()
        except Exception:  # a failed probe means no memory check, not a failed job
            return None


_LEDGERS: dict[tuple[int, str], DeviceMemory] = {}


def device_memory(device: str, gpu_id: str = "") -> DeviceMemory:
    """One ledger per device per event loop: the pools of concurrent searches share it."""
    name = f"cuda:{gpu_id}" if device == "cuda" else device
    key = (id(asyncio.get_running_loop()), name)
    if key not in _LEDGERS:
        probe = functools.partial(nvidia_smi, gpu_id) if device == "cuda" else None
        _LEDGERS[key] = DeviceMemory(probe)
    return _LEDGERS[key]


async def nvidia_smi(gpu_id: str) -> MemoryInfo | None:
    """One GPU's free and total memory as the driver counts them, every process included.

    Asked of nvidia-smi rather than torch.cuda.mem_get_info, which would create a
    CUDA context in the parent and hold its memory on every GPU for as long as a
    search or the language server runs. `gpu_id` is what CUDA_VISIBLE_DEVICES
    gives the worker: a UUID, or an index, which nvidia-smi counts in PCI order
    as CUDA does on a machine of identical GPUs.
    """
    try:
        proc = await asyncio.create_subprocess_exec(
            "nvidia-smi",
            "--query-gpu=memory.free,memory.total",
            "--format=csv,noheader,nounits",
            "-i",
            gpu_id,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
    except OSError:
        return None
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), PROBE_TIMEOUT_S)
    except TimeoutError:
        return None
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
    try:
        free, total = (int(v) << 20 for v in out.decode().splitlines()[0].split(","))  # MiB
    except (ValueError, IndexError):  # "[N/A]" (a MIG slice), or nothing printed
        return None
    return MemoryInfo(free, total) if proc.returncode == 0 else None
