"""A verification trial's tensors are gone before the next trial draws its inputs.

On an H200 a 6.4 GB softmax's evaluation reserved 43.5 GB where its footprint
(harness/memory.py) booked two input sets and two outputs, 30 GB: the last trial's
inputs stayed bound while the next trial drew its own. Eight searches at once then
fit three evaluations on the device, and each waited 16 s for memory
(benchmarks/results/h200-2026-12-04-bench-large-admission-after-ready)."""

from __future__ import annotations

import weakref

from kernelwright.harness import distributions, jobs, pipeline
from kernelwright.harness.messages import JobKind, JobRequest

from tests.conftest import PROBLEMS, SilentChannel

SOFTMAX = PROBLEMS / "small_softmax.py"
# Softmax in plain torch ops: in-process, no Triton interpreter to set up.
CANDIDATE = """
import torch.nn as nn


class ModelNew(nn.Module):
    def forward(self, x):
        e = (x - x.amax(dim=1, keepdim=True)).exp()
        return e / e.sum(dim=1, keepdim=True)
"""


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
    request = JobRequest(
        kind=JobKind.EVAL.value,
        problem_source=SOFTMAX.read_text(),
        problem_path=str(SOFTMAX),
        device="cpu",
        candidate_source=CANDIDATE,
        time_candidate=False,
    )
    result = jobs.run_eval(request, SilentChannel())
    assert result["outcome"] == "ok", result["message"]
    assert len(alive_at_draw) >= 5  # the problem's own inputs and four distributions
    assert alive_at_draw == [0] * len(alive_at_draw)
