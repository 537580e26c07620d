"""Out of GPU memory: retried once alone on the device, then the candidate's or the harness's.

On CPU the errors are simulated: candidates and problems raise
torch.OutOfMemoryError with CUDA's message, through the real harness (spawned
workers, the same retry and admission as on a GPU).
"""

from __future__ import annotations

import pytest
import torch
from kernelwright.harness import jobs, memory, verify, worker
from kernelwright.harness.evaluate import Harness, HarnessError
from kernelwright.harness.messages import JobKind, JobRequest
from kernelwright.harness.pool import WorkerPool
from kernelwright.harness.store import Store

from tests.conftest import PROBLEMS, SilentChannel, evaluate_unsandboxed

SOFTMAX = PROBLEMS / "small_softmax.py"
OOM = 'torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 4.00 GiB")'

# Softmax in plain torch ops (not torch.softmax itself, which the harness rejects as
# the reference's own op). WHEN says when it runs out of memory: "always", "never", or
# the path of a marker file, whose absence means the first worker to run it.
CANDIDATE = f"""
import os
import torch
import torch.nn as nn

WHEN = {{when!r}}


def short_of_memory():
    if WHEN in ("always", "never"):
        return WHEN == "always"
    if os.path.exists(WHEN):
        return False
    open(WHEN, "w").close()
    return True


class ModelNew(nn.Module):
    def forward(self, x):
        if short_of_memory():
            raise {OOM}
        e = (x - x.amax(dim=1, keepdim=True)).exp()
        return e / e.sum(dim=1, keepdim=True)
"""


async def test_an_out_of_memory_error_beside_other_jobs_is_retried_alone_and_can_pass(tmp_path):
    # The candidate fails in its first worker only: the marker file carries that over.
    candidate = CANDIDATE.format(when=str(tmp_path / "ran-once"))
    result = await evaluate_unsandboxed(SOFTMAX, candidate)
    assert result.outcome == "ok", result.message
    (note,) = [f for f in result.flags if f.startswith("retried alone")]
    assert "the candidate ran out of GPU memory beside other jobs" in note
    assert "CUDA out of memory" in note


async def test_a_candidate_out_of_memory_even_alone_is_its_own_and_is_not_stored(tmp_path):
    store = Store(tmp_path / "results.sqlite")
    harness = Harness(store=store, pool=WorkerPool(parallel=1))
    result = await harness.evaluate(str(SOFTMAX), CANDIDATE.format(when="always"), "cpu")
    assert result.outcome == "runtime_error"
    assert result.message.startswith(
        "the candidate ran out of GPU memory while running alone on the device "
        "(no footprint estimate): OutOfMemoryError running ModelNew: CUDA out of memory"
    )
    assert memory.OUT_OF_MEMORY_FLAG in result.flags
    assert any(f.startswith("retried alone: the candidate ran out") for f in result.flags)
    # How full the device was is no fact about the candidate: the next run asks again.
    assert store.get_eval(result.key) is None


async def test_the_harness_running_out_of_memory_is_never_the_candidate_s_verdict(tmp_path):
    problem = tmp_path / "reference_oom.py"
    problem.write_text(
        SOFTMAX.read_text().replace("return torch.softmax(x, dim=1)", f"raise {OOM}")
    )
    harness = Harness(pool=WorkerPool(parallel=1))
    with pytest.raises(HarnessError, match="ran out of GPU memory in its own code"):
        await harness.evaluate(str(problem), CANDIDATE.format(when="never"), "cpu")


def _eval_request() -> JobRequest:
    return JobRequest(
        kind=JobKind.EVAL.value,
        problem_source=SOFTMAX.read_text(),
        problem_path=str(SOFTMAX),
        device="cpu",
        candidate_source=CANDIDATE.format(when="never"),
        time_candidate=False,
    )


def test_out_of_memory_in_the_comparison_is_the_harness_s_failure(monkeypatch):
    def short_of_memory(*args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 8.00 GiB")

    monkeypatch.setattr(verify, "compare_outputs", short_of_memory)
    request = _eval_request()
    with pytest.raises(torch.OutOfMemoryError) as raised:  # no verdict comes out of it
        jobs.run_eval(request, SilentChannel())
    reply = worker._internal_error(request, raised.value)
    assert reply.kind == "internal_error" and "out_of_memory" in reply.payload


def test_out_of_memory_in_a_distributions_domain_check_is_no_skipped_trial(monkeypatch):
    """On an H200 a ReLU's reference ran out of memory beside other jobs while the
    harness checked it on large-magnitude inputs; the trial was skipped as outside the
    problem's domain, the judge (with room) did not skip it, and an honest kernel got
    `rejected`. Out of memory there is the harness's: no flag, no verdict."""
    from kernelwright.harness import distributions, pipeline

    real = pipeline.EvalPipeline._reference_output

    def short_of_memory_on_derived_inputs(self, inputs, trace=False):
        if not trace and float(inputs[0].abs().max()) > 100:  # the x1e3 distribution
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 6.00 GiB")
        return real(self, inputs, trace)

    monkeypatch.setattr(
        pipeline.EvalPipeline, "_reference_output", short_of_memory_on_derived_inputs
    )
    assert distributions.for_trial(2) == "large"  # the third trial is the one that fails
    request = _eval_request()
    with pytest.raises(torch.OutOfMemoryError) as raised:
        jobs.run_eval(request, SilentChannel())
    assert worker._internal_error(request, raised.value).payload["out_of_memory"]
