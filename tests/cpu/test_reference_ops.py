"""The reference's own ops as the whole answer are caught however they are spelled.

guards.OpTrace records the ATen ops a forward dispatches, where F.softmax and torch.softmax,
`*` and `.mul`, F.linear and `x @ w.T + b` are already the same; end to end, the cheats
reference_ops*.py are rejected (tests/cpu/test_harness_cheats.py).
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from kernelwright.harness import guards

torch.manual_seed(0)
X = torch.randn(6, 10)
W = torch.randn(4, 10)
B = torch.randn(4)
SCALE = 0.5


def _aten(fn):
    trace = guards.OpTrace()
    with torch.no_grad(), trace:
        fn()
    return trace.aten


RESPELLINGS = {
    "softmax": (
        lambda: torch.softmax(X, dim=1) * SCALE,
        lambda: F.softmax(X, dim=-1).mul(SCALE),
    ),
    "relu": (lambda: torch.relu(X), lambda: X.relu()),
    "in-place relu": (lambda: F.relu(X), lambda: X.clone().relu_()),
    "linear": (lambda: F.linear(X, W, B), lambda: X @ W.T + B),
    "matmul and add": (lambda: X @ W.t() + B, lambda: F.linear(X, W, B)),
    "linear on 3-D": (
        lambda: torch.relu(F.linear(X.view(2, 3, 10), W, B)),
        lambda: (X.view(2, 3, 10).matmul(W.transpose(0, 1).contiguous()) + B).relu(),
    ),
}


@pytest.mark.parametrize("name", sorted(RESPELLINGS))
def test_a_respelled_reference_without_a_kernel_is_caught(name):
    reference, candidate = RESPELLINGS[name]
    assert guards.reference_replicated(_aten(reference), _aten(candidate), launches=0)


@pytest.mark.parametrize("name", sorted(RESPELLINGS))
def test_a_candidate_that_launches_a_kernel_is_not(name):
    reference, candidate = RESPELLINGS[name]
    assert not guards.reference_replicated(_aten(reference), _aten(candidate), launches=1)


def test_other_torch_ops_than_the_reference_are_not_caught():
    def by_hand():
        e = torch.exp(X - X.amax(1, keepdim=True))
        return e / e.sum(1, keepdim=True)

    softmax = _aten(lambda: torch.softmax(X, dim=1))
    assert not guards.reference_replicated(softmax, _aten(by_hand), launches=0)
    relu_linear = _aten(lambda: torch.relu(F.linear(X, W, B)))
    clamped = _aten(lambda: (X @ W.T + B).clamp_min(0))
    assert not guards.reference_replicated(relu_linear, clamped, launches=0)


def test_the_torch_function_names_are_still_recorded():
    trace = guards.OpTrace()
    with torch.no_grad(), trace:
        F.linear(X, W, B).half()
    assert trace.ops["torch.nn.functional.linear"] == 1
    assert torch.float16 in trace.out_dtypes
