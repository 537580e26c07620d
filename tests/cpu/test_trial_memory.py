"""A verification trial holds one set of inputs, and its tensors are gone before the
next trial draws its own.

On an H200 a 6.4 GB softmax's evaluation reserved 43.5 GB where its footprint
(harness/memory.py) booked two input sets and two outputs, 30 GB: the last trial's
inputs stayed bound while the next trial drew its own. Eight searches at once then
fit three evaluations on the device, and each waited 16 s for memory
(benchmarks/results/h200-2026-12-04-bench-large-admission-after-ready). A byte-exact
copy of the inputs was alive through each trial too; a digest checks them now."""

from __future__ import annotations

import gc
import weakref

import torch
from kernelwright.harness import distributions, jobs, pipeline
from kernelwright.harness.messages import MIN_TRIALS, JobKind, JobRequest

from tests.conftest import PROBLEMS, SilentChannel
from tests.helpers_memory import LiveBytes
from tests.helpers_problems import shrunk_problem

SOFTMAX = PROBLEMS / "small_softmax.py"
# Softmax in plain torch ops: in-process, no Triton interpreter to set up.
CANDIDATE = """
import torch.nn as nn


class ModelNew(nn.Module):
    def forward(self, x):
        e = (x - x.amax(dim=1, keepdim=True)).exp()
        return e / e.sum(dim=1, keepdim=True)
"""


def _request() -> JobRequest:
    return JobRequest(
        kind=JobKind.EVAL.value,
        problem_source=SOFTMAX.read_text(),
        problem_path=str(SOFTMAX),
        device="cpu",
        candidate_source=CANDIDATE,
        time_candidate=False,
    )


def test_no_earlier_trial_s_inputs_are_alive_when_a_trial_draws(monkeypatch):
    drawn: list[weakref.ref] = []
    alive_at_draw: list[int] = []
    real = pipeline.seeded_inputs

    def recording(problem, seed, device):
        alive_at_draw.append(sum(1 for ref in drawn if ref() is not None))
        inputs = real(problem, seed, device)
        drawn.extend(weakref.ref(x) for x in inputs)
        return inputs

    derive = distributions.derive

    def recording_derived(name, inputs):
        derived = derive(name, inputs)
        drawn.extend(weakref.ref(x) for x in derived)
        return derived

    monkeypatch.setattr(pipeline, "seeded_inputs", recording)
    monkeypatch.setattr(distributions, "derive", recording_derived)
    result = jobs.run_eval(_request(), SilentChannel())
    assert result["outcome"] == "ok", result["message"]
    assert len(alive_at_draw) >= 5  # the problem's own inputs and four distributions
    assert alive_at_draw == [0] * len(alive_at_draw)


def test_while_the_candidate_runs_its_inputs_are_the_only_set_alive(monkeypatch):
    """Softmax's output has its input's shape: at the candidate's call nothing of that
    shape is alive but the input itself (no copy, no earlier output)."""
    alive: list[int] = []
    real = pipeline.EvalPipeline._run_candidate
    # Tensors from before this evaluation are not its own: earlier tests' garbage goes
    # now, and what they still hold is held here (so no new tensor takes its id) and
    # not counted. A CI run counted two such tensors at every trial.
    gc.collect()
    before = [o for o in gc.get_objects() if type(o) is torch.Tensor]
    earlier = {id(o) for o in before}

    def counting(self, inputs, trace):
        shape = inputs[0].shape
        alive.append(
            sum(
                1
                for o in gc.get_objects()
                if type(o) is torch.Tensor and o.shape == shape and id(o) not in earlier
            )
        )
        return real(self, inputs, trace)

    monkeypatch.setattr(pipeline.EvalPipeline, "_run_candidate", counting)
    result = jobs.run_eval(_request(), SilentChannel())
    assert result["outcome"] == "ok", result["message"]
    assert len(alive) >= 5 and alive == [1] * len(alive)


def test_between_trials_the_worker_offers_the_gpu_to_a_waiting_timer():
    """messages.YIELD_GPU: before every trial but the first, at the problem's shape and
    at the derived shapes alike (a timed run waits for one trial, not a verification)."""
    yields: list[str] = []

    class Recording(SilentChannel):
        def yield_gpu(self):
            yields.append("yield")

    result = jobs.run_eval(_request(), Recording())
    assert result["outcome"] == "ok", result["message"]
    shapes = [e for e in result["correctness"]["shapes"] if e["status"] == "verified"]
    assert shapes and len(yields) == MIN_TRIALS - 1 + len(shapes)  # trials, then one a shape


def test_a_whole_verification_holds_at_most_three_input_sized_sets(monkeypatch, tmp_path):
    """What harness/memory.py books: one input set and two outputs, or two input sets
    and one output. The reference's outputs used to be checked finite whole
    (`torch.isfinite`: an abs() copy and three boolean tensors), 1.75 sets more on the
    first trial and in every domain check; chunked now (verify.all_finite)."""
    from kernelwright.harness import verify

    # 16 MiB of input: the fixed costs (the relocation's 1 MiB spacer, the chunks'
    # scratch at 2^16 elements) are slivers of a set, as at the sizes users run.
    problem = shrunk_problem(SOFTMAX, tmp_path, {"BATCH": 1024, "DIM": 4096})
    monkeypatch.setattr(verify, "CHUNK_ELEMENTS", 1 << 16)
    request = _request()
    request.problem_source, request.problem_path = problem.read_text(), str(problem)
    one_set = 1024 * 4096 * 4
    with LiveBytes() as live:
        result = jobs.run_eval(request, SilentChannel())
    assert result["outcome"] == "ok", result["message"]
    assert 2.9 * one_set < live.peak <= 3.3 * one_set, live.peak / one_set
