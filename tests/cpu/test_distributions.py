"""The trials' input distributions: what each changes, and what it leaves alone.

End to end (tests/cpu/test_harness_cheats.py): a copy that passes for ReLU on the problem's
non-negative inputs is `wrong` on signed ones, and log's problem skips what log rejects.
"""

from __future__ import annotations

import pytest
import torch
from kernelwright.harness import distributions
from kernelwright.harness.messages import MIN_TRIALS


def _inputs():
    torch.manual_seed(0)
    return [torch.rand(64, 50) * 3, torch.randint(0, 10, (64,)), 0.5]


def test_the_minimum_trials_see_every_distribution():
    assert {distributions.for_trial(i) for i in range(MIN_TRIALS)} == set(distributions.LABELS)
    assert distributions.for_trial(0) == distributions.OWN


def test_normal_inputs_reach_below_a_rand_problems_range():
    """A hardtanh that forgot its lower clamp is right on signed uniform inputs of a
    `torch.rand` problem (never below -1) and wrong on these."""
    x = _inputs()[0] / 3  # torch.rand: [0, 1)
    normal = distributions.derive("normal", [x])[0]
    signed = distributions.derive("signed", [x])[0]
    assert signed.min() >= -1.0 and normal.min() < -2.0
    assert abs(float(normal.mean())) < 0.1 and 0.9 < float(normal.std()) < 1.1


@pytest.mark.parametrize("name", distributions.ROTATION)
def test_only_floating_point_tensors_change(name):
    x, targets, scale = _inputs()
    derived = distributions.derive(name, [x, targets, scale])
    assert torch.equal(derived[1], targets) and derived[2] == scale
    assert derived[0].shape == x.shape and derived[0].dtype == x.dtype
    assert torch.equal(derived[0], x) == (name == distributions.OWN)


def test_signed_inputs_span_the_inputs_own_magnitude():
    x = _inputs()[0]
    signed = distributions.derive("signed", [x])[0]
    assert signed.min() < -1.0 and signed.max() > 1.0
    assert signed.abs().max() <= x.abs().max()


def test_zeros_and_ties_give_zeros_and_repeated_maxima():
    tied = distributions.derive("zeros_ties", [_inputs()[0]])[0]
    assert (tied == 0).float().mean() > 0.25
    assert len(torch.unique(tied)) <= 2 * distributions.TIE_LEVELS + 1
    row_max = tied.amax(dim=1, keepdim=True)
    tied_rows = ((tied == row_max).sum(dim=1) > 1).float().mean()
    assert tied_rows > 0.9  # argmax and sort see ties in almost every row


def test_large_inputs_overflow_a_naive_exp():
    large = distributions.derive("large", [torch.randn(4, 100)])[0]
    assert not bool(torch.isfinite(torch.exp(large)).all())
    assert bool(torch.isfinite(torch.softmax(large, dim=1)).all())
