"""The GPU gate: verifications share the device, a timed run has it alone."""

from __future__ import annotations

import asyncio

import pytest
from kernelwright.harness.gpu_gate import EXCLUSIVE, SHARED, GpuGate


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_sharers_overlap_but_a_timer_waits_for_all_of_them():
    gate = GpuGate(max_sharers=3)
    await gate.acquire(SHARED)
    await gate.acquire(SHARED)
    timer = asyncio.ensure_future(gate.acquire(EXCLUSIVE))
    await _settle()
    assert not timer.done() and gate.sharers == 2
    gate.release(SHARED)
    await _settle()
    assert not timer.done()
    gate.release(SHARED)
    await _settle()
    assert timer.done() and gate.timing and gate.sharers == 0


async def test_a_waiting_timer_holds_back_later_sharers():
    gate = GpuGate(max_sharers=4)
    await gate.acquire(SHARED)
    timer = asyncio.ensure_future(gate.acquire(EXCLUSIVE))
    late = asyncio.ensure_future(gate.acquire(SHARED))
    await _settle()
    assert not timer.done() and not late.done()  # no starving the timer
    gate.release(SHARED)
    await _settle()
    assert timer.done() and not late.done()  # nobody shares a timed run
    gate.release(EXCLUSIVE)
    await _settle()
    assert late.done() and gate.sharers == 1


async def test_turns_alternate_in_batches_not_one_job_at_a_time():
    """A bench's queue (sharer, timer, sharer, timer, ...) must not run one job at a time."""
    gate = GpuGate(max_sharers=4)
    await gate.acquire(SHARED)
    arrivals = [
        asyncio.ensure_future(gate.acquire(mode))
        for mode in (EXCLUSIVE, SHARED, EXCLUSIVE, SHARED, EXCLUSIVE, SHARED)
    ]
    timers, sharers = arrivals[0::2], arrivals[1::2]
    await _settle()
    assert not any(f.done() for f in arrivals)  # the timers wait for the shared phase to drain
    gate.release(SHARED)
    late_timer = None
    for expected in range(1, 4):  # the three timers run back to back, sharers still waiting
        await _settle()
        assert sum(f.done() for f in timers) == expected and gate.timing
        assert not any(f.done() for f in sharers)
        if expected == 2:
            late_timer = asyncio.ensure_future(gate.acquire(EXCLUSIVE))
        gate.release(EXCLUSIVE)
    await _settle()
    assert all(f.done() for f in sharers) and gate.sharers == 3  # then all sharers at once
    assert not late_timer.done()  # a timer that came during the batch waits for the next one
    for _ in range(3):
        gate.release(SHARED)
    await _settle()
    assert late_timer.done() and gate.timing


async def test_sharers_are_capped():
    gate = GpuGate(max_sharers=2)
    await gate.acquire(SHARED)
    await gate.acquire(SHARED)
    third = asyncio.ensure_future(gate.acquire(SHARED))
    await _settle()
    assert not third.done()
    gate.release(SHARED)
    await _settle()
    assert third.done() and gate.sharers == 2


async def test_a_cancelled_waiter_leaves_no_trace():
    gate = GpuGate(max_sharers=2)
    await gate.acquire(EXCLUSIVE)
    waiting = asyncio.ensure_future(gate.acquire(EXCLUSIVE))
    await _settle()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    gate.release(EXCLUSIVE)
    await gate.acquire(SHARED)  # would hang if the cancelled timer still held a place
    assert gate.sharers == 1 and not gate.timing


async def test_searches_started_together_measure_the_peaks_once(tmp_path, monkeypatch):
    """A bench starts many searches at once; each must not take the GPU alone to measure peaks."""
    from kernelwright.harness.evaluate import Harness
    from kernelwright.harness.pool import JobOutcome
    from kernelwright.harness.store import Store

    measured = []

    async def slow_peaks_job(self, request, limits=None):
        measured.append(request.kind)
        await asyncio.sleep(0.05)
        return JobOutcome("result", {"name": "fake", "copy_gbps": 1.0, "matmul_tflops": {}}, "", 0)

    monkeypatch.setattr(Harness, "_job", slow_peaks_job)
    harnesses = [Harness(store=Store(tmp_path / f"s{i}.sqlite")) for i in range(4)]
    results = await asyncio.gather(*(h.peaks("cpu") for h in harnesses))
    assert measured == ["peaks"]
    assert all(r["name"] == "fake" for r in results)


@pytest.mark.parametrize(
    "mode, order", [("default", ["compile", "gpu"]), ("max-autotune", ["gpu", "compile"])]
)
def test_the_compile_baseline_autotunes_only_with_the_gpu_alone(mode, order):
    from kernelwright.harness.pipeline import baseline_then_gpu

    events = []

    class Channel:
        def wait_for_gpu(self):
            events.append("gpu")

    compiled = baseline_then_gpu(Channel(), mode, lambda: events.append("compile") or "model")
    assert compiled == "model" and events == order
    events.clear()
    assert baseline_then_gpu(Channel(), mode, None) is None and events == ["gpu"]


# The start of a scripted worker: `ask(kind)` sends a protocol line and waits for `go`.
_ASK = (
    "import json, os, sys, time\n"
    "def ask(kind):\n"
    "    print(json.dumps({'type': kind, 'payload': {}}), flush=True)\n"
    "    sys.stdin.readline()\n"
)
_RESULT = "print(json.dumps({'type': 'result', 'payload': {'verified': True}}), flush=True)\n"


async def _scripted_worker(script: str):
    """A worker process running `script` after _ASK, and the pool conversing with it:
    (process, conversation task, GPU 0's gate, the job's phase clock)."""
    import sys

    from kernelwright.harness.gpu_gate import gpu_gate
    from kernelwright.harness.phases import PhaseClock
    from kernelwright.harness.pool import Limits, WorkerPool

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _ASK + script + _RESULT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    clock = PhaseClock()
    talk = asyncio.ensure_future(
        WorkerPool(parallel=1)._converse(proc, 0, Limits(timeout_s=30), clock, loading=False)
    )
    return proc, talk, gpu_gate(0), clock


async def test_a_worker_compiling_off_the_gate_does_not_hold_up_a_timed_run(tmp_path):
    """Issue 15: a worker that compiles its candidate under a CUDA-graph capture
    (harness/precompile.py) gives its shared grant back for it: a timer queued behind
    it starts at once instead of waiting out the compile, and the worker asks again
    before it verifies. The worker here is a script speaking the pool's protocol."""
    from kernelwright.harness.gpu_gate import COMPILING

    go_on = tmp_path / "compiled"
    proc, talk, gate, clock = await _scripted_worker(
        "ask('ready_for_gpu')\n"
        "ask('left_gpu')\n"
        f"while not os.path.exists({str(go_on)!r}):\n"
        "    time.sleep(0.01)\n"
        "ask('ready_for_gpu')\n"
    )
    for _ in range(500):
        if clock.spent.get(COMPILING) is not None or clock._phase == COMPILING:
            break
        await asyncio.sleep(0.01)
    assert gate.sharers == 0, "the compiling worker still holds a place in the shared phase"
    await asyncio.wait_for(gate.acquire(EXCLUSIVE), 1.0)  # the timer does not wait for it
    gate.release(EXCLUSIVE)
    go_on.touch()
    status, payload = await asyncio.wait_for(talk, 10)
    await proc.wait()
    assert (status, payload) == ("result", {"verified": True})
    assert clock.spent[COMPILING] > 0 and gate.sharers == 0


async def test_a_verifying_worker_lets_a_waiting_timer_go_first_between_trials(tmp_path):
    """A shared phase was a whole verification: a timer waited for every sharer's to end.
    Between two trials a sharer says `yield_gpu` (messages.YIELD_GPU): the timer queued
    behind it runs, and the sharer's next trial starts only after it."""
    go_on, after = tmp_path / "trial-done", tmp_path / "next-trial"
    proc, talk, gate, _ = await _scripted_worker(
        "ask('ready_for_gpu')\n"
        f"while not os.path.exists({str(go_on)!r}):\n"
        "    time.sleep(0.01)\n"
        "ask('yield_gpu')\n"
        f"open({str(after)!r}, 'w').close()\n"
        "ask('yield_gpu')\n"  # no timer waits now: granted at once
    )
    for _ in range(500):
        if gate.sharers == 1:
            break
        await asyncio.sleep(0.01)
    timer = asyncio.ensure_future(gate.acquire(EXCLUSIVE))
    await asyncio.sleep(0.2)
    assert not timer.done(), "the timer ran beside a verifying worker"
    go_on.touch()  # the worker's trial ends, and it yields
    await asyncio.wait_for(timer, 5.0)
    await asyncio.sleep(0.2)
    assert not after.exists(), "the worker's next trial ran beside the timed run"
    gate.release(EXCLUSIVE)
    status, payload = await asyncio.wait_for(talk, 10)
    assert (status, payload) == ("result", {"verified": True}) and after.exists()
    await asyncio.wait_for(proc.wait(), 10)
    assert gate.sharers == 0 and not gate.timing
