"""GPU memory as a managed resource: a job enters a device only when its footprint fits.

The ledger (harness/admission.py) is driven directly with a fake device whose
free memory the test sets, and fake footprints; no GPU is needed.
"""

from __future__ import annotations

import asyncio

import pytest
from kernelwright.harness import admission, memory
from kernelwright.harness.admission import DeviceMemory, MemoryInfo, device_memory
from kernelwright.harness.evaluate import Harness
from kernelwright.harness.messages import JobKind, JobRequest
from kernelwright.harness.pool import WorkerPool

from tests.conftest import PROBLEMS

GIB = 1 << 30


class FakeGpu:
    """What a probe reports: memory held by other processes, and by our jobs so far."""

    def __init__(self, total_gib: float, others_gib: float = 0.0):
        self.total, self.others, self.ours = int(total_gib * GIB), int(others_gib * GIB), 0

    async def probe(self) -> MemoryInfo:
        return MemoryInfo(free=self.total - self.others - self.ours, total=self.total)


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def _waiting(ledger: DeviceMemory, nbytes: float | None, alone: bool = False) -> asyncio.Future:
    size = None if nbytes is None else int(nbytes * GIB)
    return asyncio.ensure_future(ledger.acquire(size, alone))


async def test_a_job_waits_while_memory_is_short_and_enters_when_another_finishes():
    ledger = DeviceMemory(FakeGpu(100).probe, margin=0)
    first = await ledger.acquire(60 * GIB)
    second = _waiting(ledger, 50)
    await _settle()
    assert not second.done()  # queued, not failed
    ledger.release(first)
    await _settle()
    assert second.done() and not second.result().alone


async def test_jobs_that_fit_together_enter_together():
    ledger = DeviceMemory(FakeGpu(100).probe, margin=0)
    jobs = [_waiting(ledger, 30) for _ in range(3)]
    await _settle()
    assert all(job.done() for job in jobs)


async def test_memory_another_process_holds_is_not_offered_to_our_jobs():
    gpu = FakeGpu(141, others_gib=108)  # the H200 of issue 15
    ledger = DeviceMemory(gpu.probe, margin=2 * GIB)
    first = await ledger.acquire(20 * GIB)
    # The first has allocated nothing yet: free memory alone would let the second in.
    second = _waiting(ledger, 20)
    await _settle()
    assert not second.done()
    ledger.release(first)
    await _settle()
    assert second.done()


async def test_a_job_waits_for_memory_another_process_took_after_ours_entered(monkeypatch):
    monkeypatch.setattr(admission, "REPROBE_S", 0.05)
    gpu = FakeGpu(100)
    ledger = DeviceMemory(gpu.probe, margin=0)
    await ledger.acquire(20 * GIB)
    gpu.others = 85 * GIB  # our ledger still has room; the device does not
    second = _waiting(ledger, 20)
    await asyncio.sleep(0.2)
    assert not second.done()
    gpu.others = 0  # the other process ends: the waiting job probes again and enters
    await asyncio.sleep(0.2)
    assert second.done()


async def test_a_job_larger_than_the_device_runs_alone_once_the_device_is_free():
    ledger = DeviceMemory(FakeGpu(100).probe, margin=0)
    small = await ledger.acquire(10 * GIB)
    huge = _waiting(ledger, 150)
    later = _waiting(ledger, 5)
    await _settle()
    assert not huge.done() and not later.done()  # arrival order: small jobs do not starve it
    ledger.release(small)
    await _settle()
    assert huge.done() and huge.result().alone
    assert not later.done()  # nobody joins a job that runs alone
    ledger.release(huge.result())
    await _settle()
    assert later.done()


async def test_a_job_asked_to_run_alone_waits_for_every_other_and_none_joins_it():
    ledger = DeviceMemory(FakeGpu(100).probe, margin=0)
    a, b = await ledger.acquire(10 * GIB), await ledger.acquire(10 * GIB)
    retry = _waiting(ledger, 10, alone=True)
    ledger.release(a)
    await _settle()
    assert not retry.done()
    ledger.release(b)
    await _settle()
    assert retry.done()
    newcomer = _waiting(ledger, 1)
    await _settle()
    assert not newcomer.done()
    ledger.release(retry.result())
    await _settle()
    assert newcomer.done()


async def test_a_cancelled_waiter_lets_those_behind_it_in():
    ledger = DeviceMemory(FakeGpu(100).probe, margin=0)
    await ledger.acquire(50 * GIB)
    big = _waiting(ledger, 80)
    small = _waiting(ledger, 10)
    await _settle()
    assert not small.done()
    big.cancel()
    await _settle()
    assert small.done() and ledger.waiting == 0


async def test_without_a_probe_only_running_alone_is_enforced():
    ledger = DeviceMemory(probe=None)
    jobs = [_waiting(ledger, 1 << 10) for _ in range(3)]  # 1 TiB each, unchecked
    await _settle()
    assert all(job.done() for job in jobs)
    alone = _waiting(ledger, None, alone=True)
    await _settle()
    assert not alone.done()
    for job in jobs:
        ledger.release(job.result())
    await _settle()
    assert alone.done()


def test_issue_15_two_evaluations_of_a_4_gib_problem_do_not_share_what_was_left():
    """fp32 input and output of 4 GiB each, on an H200 where another process held 108 GiB."""
    problem = memory.ProblemMemory(inputs=4 * GIB, params=0, outputs=4 * GIB, float_bytes=4)
    need = memory.footprint(problem)
    # Three input sets, two outputs and a float64 reference: far more than the inputs.
    assert need > 3 * problem.inputs + 2 * problem.outputs
    assert memory.footprint(problem, "profile") < need

    async def scenario():
        ledger = DeviceMemory(FakeGpu(141, others_gib=108).probe)
        first = await ledger.acquire(need)
        second = _waiting(ledger, need / GIB)
        await _settle()
        assert first.alone and not second.done()
        ledger.release(first)
        await _settle()
        assert second.done()

    asyncio.run(scenario())


def test_a_float64_reference_is_reserved_only_where_every_trial_builds_one():
    """A 6.4 GB ReLU reserved 26 GB for a float64 reference it builds only after a strict
    mismatch (and an out-of-memory error there reruns the evaluation alone)."""
    relu = dict(inputs=6400 << 20, params=0, outputs=6400 << 20, float_bytes=4)
    unknown = memory.footprint(memory.ProblemMemory(**relu))
    pointwise = memory.footprint(memory.ProblemMemory(**relu, float64_every_trial=False))
    tf32_conv = memory.footprint(memory.ProblemMemory(**relu, float64_every_trial=True))
    assert tf32_conv == unknown
    assert unknown - pointwise > 3 * relu["inputs"]  # the float64 copies: 8 bytes for 4
    assert 3 * pointwise < 139 * GIB < 3 * unknown  # three fit on an H200 where only two did


def test_the_profile_says_whether_every_trial_needs_a_float64_reference():
    harness = Harness(pool=WorkerPool(parallel=1))
    result = asyncio.run(harness.profile(str(PROBLEMS / "small_linear.py"), "cpu", use_cache=False))
    assert result["memory"]["float64_every_trial"] is False  # no TF32 convolution on a CPU


def test_small_problems_still_share_the_device():
    problem = memory.ProblemMemory(
        inputs=64 << 20, params=16 << 20, outputs=64 << 20, float_bytes=4
    )
    assert 6 * memory.footprint(problem) < 32 * GIB  # six sharers fit on a 32 GiB card


def test_a_profile_stored_before_memory_was_measured_still_sizes_the_problem():
    stored = {
        "profile": {"bytes": 3 * GIB},
        "output": {"shape": [1 << 28], "dtype": "torch.float32"},
    }
    facts = memory.from_profile(stored)
    assert facts.outputs == GIB and facts.inputs == 2 * GIB and facts.float_bytes == 4


async def test_a_harness_learns_a_problem_s_memory_from_its_capture_then_its_profile():
    harness = Harness(pool=WorkerPool(parallel=1))
    path = PROBLEMS / "small_linear.py"  # x: 33×48, fc: 40×48 + 40, output 33×40, fp32
    await harness.capture(str(path))
    (captured,) = harness.problem_memory.values()
    assert (captured.inputs, captured.params, captured.outputs) == (
        33 * 48 * 4,
        40 * 49 * 4,
        33 * 40 * 4,
    )
    await harness.profile(str(path), "cpu", use_cache=False)
    (profiled,) = harness.problem_memory.values()
    assert (profiled.inputs, profiled.params, profiled.outputs) == (
        33 * 48 * 4,
        40 * 49 * 4,
        33 * 40 * 4,
    )
    assert profiled.working is None and profiled.float_bytes == 4  # measured on a GPU only


def _softmax_job(kind: JobKind, alone: bool = False) -> JobRequest:
    path = PROBLEMS / "small_softmax.py"
    return JobRequest(
        kind=kind.value,
        problem_source=path.read_text(),
        problem_path=str(path),
        device="cpu",
        alone=alone,
    )


async def test_the_pool_starts_a_job_asked_to_run_alone_only_once_the_device_is_free():
    """And it asks only once its worker is ready: on an H200, evaluations booked 30 GB
    each while their workers imported torch, and ready ones queued behind them."""
    ledger = device_memory("cpu")
    other = await ledger.acquire(None)  # another evaluation on the device
    request = _softmax_job(JobKind.PROFILE, alone=True)
    job = asyncio.ensure_future(WorkerPool(parallel=1).run(request))
    await asyncio.sleep(0.5)
    assert ledger.waiting == 0  # its worker is still importing torch: nothing asked yet
    for _ in range(1200):  # until the worker is ready and the job queues for the device
        if ledger.waiting:
            break
        await asyncio.sleep(0.1)
    assert ledger.waiting == 1
    await asyncio.sleep(1.0)
    assert not job.done()
    ledger.release(other)
    outcome = await asyncio.wait_for(job, 120)
    assert outcome.status == "result"
    assert outcome.seconds["waiting"] > 0.9  # the device's wait, after the worker started
    assert outcome.seconds["waiting:memory"] > 0.9
    assert outcome.seconds["starting"] > 0.5  # the worker's imports, before it asked
    assert not ledger.admitted  # released once its worker was gone


async def test_a_capture_does_not_wait_behind_a_job_that_has_the_device_alone():
    """A capture runs on meta or CPU tensors. Behind the peaks measurement (alone on
    the GPU) every search of a bench waited about 60 s for its capture on an H200."""
    ledger = device_memory("cpu")
    alone = await ledger.acquire(None, alone=True)
    request = _softmax_job(JobKind.CAPTURE)
    try:
        outcome = await asyncio.wait_for(WorkerPool(parallel=1).run(request), 120)
    finally:
        ledger.release(alone)
    assert outcome.status == "result"
    assert outcome.seconds["waiting"] < 1.0


@pytest.mark.parametrize(
    "text", ["CUDA out of memory. Tried to allocate 2.00 GiB", "out of memory"]
)
def test_out_of_memory_errors_are_recognised(text):
    import torch

    assert memory.is_out_of_memory(torch.OutOfMemoryError(text))
    assert memory.is_out_of_memory(RuntimeError(text))
    assert not memory.is_out_of_memory(RuntimeError("out of resource: shared memory"))
    assert not memory.is_out_of_memory(ValueError(text))


def test_later_evaluations_book_what_a_verified_one_was_measured_to_take():
    """On an H200 every evaluation of the large problems took 1.2-2.3x the footprint's
    model (the allocator's caching and rounding), and one a run ran out of memory
    beside the others. A verified evaluation's measured peak books the problem's next
    evaluations; a failed one's (a candidate wasting memory) does not."""
    from kernelwright.harness.messages import EvalResult
    from kernelwright.harness.store import content_hash

    harness = Harness(pool=WorkerPool(parallel=1))
    request = _softmax_job(JobKind.EVAL)
    request.device = "cuda"
    problem = content_hash(request.problem_source)
    harness.problem_memory[problem] = memory.ProblemMemory(
        inputs=4 * GIB, params=0, outputs=4 * GIB, float_bytes=4, float64_every_trial=False
    )
    harness._size(request, "eval")
    first = request.memory_estimate
    assert first is not None and not request.alone
    # Until one is measured, the model gets UNMEASURED_FACTOR more: first evaluations
    # reserved up to 1.39x it, all at once, and their neighbours were retried alone.
    modelled = memory.footprint(harness.problem_memory[problem], "eval", request.compile_baseline)
    assert first == int(modelled * memory.UNMEASURED_FACTOR)

    def finished(outcome: str, peak_gib: int) -> EvalResult:
        usage = memory.usage(modelled, peak_gib * GIB)
        return EvalResult(outcome=outcome, message="", device="cuda", gpu_memory=usage)

    harness._learn_peak(problem, finished("wrong", 90))  # not a verified one: ignored
    harness._size(request, "eval")
    assert request.memory_estimate == first
    harness._learn_peak(problem, finished("ok", 10))  # measured below the first booking
    harness._size(request, "eval")
    assert request.memory_estimate == max(modelled, 10 * GIB + memory.CONTEXT_BYTES) < first
    harness._learn_peak(problem, finished("ok", 40))
    harness._size(request, "eval")
    assert request.memory_estimate == 40 * GIB + memory.CONTEXT_BYTES > modelled
    harness._learn_peak(problem, finished("ok", 2))  # a smaller one keeps the largest
    harness._size(request, "eval")
    assert request.memory_estimate == 40 * GIB + memory.CONTEXT_BYTES


async def test_memory_still_returning_from_a_released_job_is_not_held_against_later_ones():
    """A reaped worker's memory comes back while its process is torn down: read then, it
    looked like another process's, and usable memory shrank for the rest of the run."""
    gpu = FakeGpu(100)
    ledger = DeviceMemory(gpu.probe, margin=0)
    first = await ledger.acquire(60 * GIB)
    gpu.ours = 60 * GIB
    ledger.release(first)  # its process still holds the 60 GB for a moment
    second = await ledger.acquire(30 * GIB)
    gpu.ours = 30 * GIB  # the first is gone; the second has allocated
    third = _waiting(ledger, 50)
    await _settle()
    assert third.done() and not second.alone  # 30 + 50 of 100, nobody else's


async def test_other_processes_are_measured_again_once_releases_have_settled(monkeypatch):
    monkeypatch.setattr(admission, "RELEASE_SETTLE_S", 0.0)
    gpu = FakeGpu(100)
    ledger = DeviceMemory(gpu.probe, margin=0)
    ledger.release(await ledger.acquire(10 * GIB))
    gpu.others = 70 * GIB  # another process started meanwhile
    second = await ledger.acquire(20 * GIB)
    third = _waiting(ledger, 20)  # the device has 10 GB left for it, not 70
    await _settle()
    assert not third.done() and ledger.others == 70 * GIB
    ledger.release(second)
    await _settle()
    assert third.done()
