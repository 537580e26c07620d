"""The judge (harness/judge.py) gives no `ok` the runner's outputs do not earn.

End to end, tests/cheats/forge_verdict.py and forge_after_verify.py are rejected
(tests/cpu/test_harness_cheats.py); these tests take the judge's checks one by one.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch
from kernelwright.harness import handover, judge
from kernelwright.harness.messages import EvalResult, JobKind, JobRequest

from tests.conftest import PROBLEMS


def _request(**fields) -> JobRequest:
    path = PROBLEMS / "small_softmax.py"
    return JobRequest(
        kind=JobKind.EVAL.value,
        problem_source=path.read_text(),
        problem_path=str(path),
        device="cpu",
        **fields,
    )


def test_large_outputs_are_handed_over_as_the_same_seeded_sample(tmp_path, monkeypatch):
    monkeypatch.setattr(handover, "SAMPLE_ELEMENTS", 1024)
    out = torch.randn(64, 1000)
    writer = handover.OutputHandover(tmp_path, [7], first=True)
    writer.add(out, seed=7)
    writer.close()
    (call,) = handover.handed_over_calls(tmp_path)
    replay = handover.ReplayedCandidate(call["files"], torch.device("cpu"))
    values = replay()
    assert values.shape == (1024,)
    assert torch.equal(replay.as_handed_over(out.clone(), 7), values)
    wrong = out.clone()
    wrong.view(-1)[:] += 1.0
    assert not torch.equal(replay.as_handed_over(wrong, 7), values)
    with pytest.raises(ValueError, match="output shape"):
        replay.as_handed_over(torch.randn(64, 999), 7)
    # a float64 reference of the same output is sampled at the same positions
    assert torch.equal(replay.as_handed_over(out.double(), 7), values.double())


def test_small_outputs_are_handed_over_whole(tmp_path):
    out = (torch.randn(4, 5), torch.randn(3))
    writer = handover.OutputHandover(tmp_path, [0], first=True)
    writer.add(out, seed=0)
    writer.close()
    replay = handover.ReplayedCandidate(
        handover.handed_over_calls(tmp_path)[0]["files"], torch.device("cpu")
    )
    values = replay()
    assert all(torch.equal(a, b) for a, b in zip(values, out))


def test_an_ok_whose_outputs_never_arrived_is_rejected(tmp_path):
    claim = EvalResult(
        outcome="ok", message="verified on 5 trials", device="cpu", speedup={"vs_eager": 50.0}
    ).to_dict()
    verdict = judge.judge(_request(), claim, tmp_path)
    assert verdict["outcome"] == "rejected" and "judge:claim-refused" in verdict["flags"]
    assert "never reached the judge" in verdict["message"]


def test_a_failure_the_runner_reports_passes_through(tmp_path):
    claim = EvalResult(outcome="wrong", message="trial 1: mismatch", device="cpu").to_dict()
    assert judge.judge(_request(), claim, tmp_path) == claim


def test_something_that_is_not_a_verdict_is_rejected(tmp_path):
    verdict = judge.judge(_request(), {"outcome": "splendid"}, tmp_path)
    assert verdict["outcome"] == "rejected"


def test_a_time_faster_than_the_device_can_move_the_bytes_is_refused(tmp_path):
    from kernelwright.harness.pipeline import EvalPipeline

    request = _request(peaks={"copy_gbps": 100.0})
    pipeline = EvalPipeline(request, judge._Silent())
    pipeline.load_reference()
    forged = EvalResult(
        outcome="ok", message="", device="cpu", timing={"median_ms": 1e-6, "iqr_ms": 0.0, "n": 10}
    )
    reason = judge.check_timing(request, forged, pipeline)
    assert reason and "shorter than moving" in reason
    honest = EvalResult(
        outcome="ok", message="", device="cpu", timing={"median_ms": 1.0, "iqr_ms": 0.0, "n": 10}
    )
    assert judge.check_timing(request, honest, pipeline) is None


SOFTMAX_CANDIDATE = """
import torch.nn as nn


class ModelNew(nn.Module):
    def forward(self, x):
        e = (x - x.amax(dim=1, keepdim=True)).exp()
        return e / e.sum(dim=1, keepdim=True)
"""


def _claim_on_inputs_off_by(off, request, monkeypatch):
    """The runner's claim with its first trial's x[0, 0] moved by `off(value)`."""
    from kernelwright.harness import jobs, pipeline

    from tests.conftest import SilentChannel

    drawn = pipeline.seeded_inputs

    def moved(problem, seed, device):
        inputs = drawn(problem, seed, device)
        if seed == request.seed:
            inputs[0][0, 0] = off(inputs[0][0, 0])
        return inputs

    monkeypatch.setattr(pipeline, "seeded_inputs", moved)
    claim = jobs.run_eval(request, SilentChannel())
    assert claim["outcome"] == "ok", claim["message"]
    monkeypatch.setattr(pipeline, "seeded_inputs", drawn)  # the judge draws its own
    return claim


def test_outputs_for_other_inputs_that_fail_the_judge_say_nothing_of_the_candidate(
    tmp_path, monkeypatch
):
    from kernelwright.harness.messages import CLAIM_REFUSED_FLAG, INPUTS_DIFFER_FLAG

    # the runner's request names the outputs folder (harness/judge.py `relay`); the judge's not
    request = _request(candidate_source=SOFTMAX_CANDIDATE, outputs_dir=str(tmp_path))
    claim = _claim_on_inputs_off_by(lambda v: v + 1.0, request, monkeypatch)
    verdict = judge.judge(replace(request, outputs_dir=None), claim, tmp_path)
    assert verdict["outcome"] == "rejected"
    assert CLAIM_REFUSED_FLAG in verdict["flags"] and INPUTS_DIFFER_FLAG in verdict["flags"]
    assert "on inputs other than the runner says it verified on" in verdict["message"]
    assert "trial 1 (seed 0, the problem's own inputs; input 0): " in verdict["message"]


def test_outputs_for_inputs_one_ulp_off_that_still_match_are_believed(tmp_path, monkeypatch):
    """A problem's get_inputs may draw through a nondeterministic op (a float scatter_add
    on a GPU): inputs an ulp apart on the two sides, outputs within tolerance."""
    request = _request(candidate_source=SOFTMAX_CANDIDATE, outputs_dir=str(tmp_path))
    up = torch.tensor(float("inf"))
    claim = _claim_on_inputs_off_by(lambda v: torch.nextafter(v, up), request, monkeypatch)
    verdict = judge.judge(replace(request, outputs_dir=None), claim, tmp_path)
    assert verdict["outcome"] == "ok", verdict["message"]


def test_the_same_inputs_on_both_sides_pass(tmp_path):
    from kernelwright.harness import jobs

    from tests.conftest import SilentChannel

    request = _request(candidate_source=SOFTMAX_CANDIDATE, outputs_dir=str(tmp_path))
    claim = jobs.run_eval(request, SilentChannel())
    verdict = judge.judge(replace(request, outputs_dir=None), claim, tmp_path)
    assert verdict["outcome"] == "ok", verdict["message"]


# A problem whose first importer draws one input off: the runner of the first
# evaluation (the first to import it), never its judge nor a later runner. The marker
# file carries that over, so the workers run unsandboxed (sandboxed, they write nowhere
# lasting).
FIRST_DRAW_OFF = """
import os
import torch
import torch.nn as nn

MARKER = {marker!r}
FIRST = not os.path.exists(MARKER)
open(MARKER, "a").close()


class Model(nn.Module):
    def forward(self, x):
        return torch.softmax(x, dim=1)


def get_inputs():
    x = torch.randn(37, 101)
    if FIRST:
        x[0, 0] += 1.0
    return [x]


def get_init_inputs():
    return []
"""


async def test_an_evaluation_whose_runner_drew_other_inputs_is_evaluated_again(tmp_path):
    from tests.conftest import evaluate_unsandboxed

    problem = tmp_path / "softmax_first_draw_off.py"
    problem.write_text(FIRST_DRAW_OFF.format(marker=str(tmp_path / "imported")))
    result = await evaluate_unsandboxed(problem, SOFTMAX_CANDIDATE)
    assert result.outcome == "ok", result.message
    (note,) = [f for f in result.flags if f.startswith("evaluated again")]
    assert "on inputs other than the runner says it verified on" in note
    assert "trial 1 (seed 0, the problem's own inputs; input 0): " in note
