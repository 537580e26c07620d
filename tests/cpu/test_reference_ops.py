"""The reference's own ops as the whole answer are caught however they are spelled, and
whatever Triton kernels run beside them.

guards.OpTrace records the ATen ops a forward dispatches and the size each ran on, where
F.softmax and torch.softmax, `*` and `.mul`, F.linear and `x @ w.T + b` are already the
same; end to end, the cheats reference_ops*.py are rejected
(tests/cpu/test_harness_cheats.py).
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from kernelwright.harness import guards

from tests.conftest import script_lines

torch.manual_seed(0)
X = torch.randn(6, 10)
W = torch.randn(4, 10)
B = torch.randn(4)
SCALE = 0.5


def _aten(fn):
    trace = guards.OpTrace()
    with torch.no_grad(), trace:
        fn()
    return trace.aten_sizes


RESPELLINGS = {
    "softmax": (
        lambda: torch.softmax(X, dim=1) * SCALE,
        lambda: F.softmax(X, dim=-1).mul(SCALE),
    ),
    "softmax by module, private op, in pieces": (
        lambda: torch.softmax(X, dim=1),
        lambda: torch.cat(
            [
                torch.nn.Softmax(dim=1)(X[:2]),
                torch.special.softmax(X[2:4], 1),
                torch.ops.aten._softmax(X[4:], 1, False),
            ]
        ),
    ),
    "softmax row by row": (
        lambda: torch.softmax(X, dim=1),
        lambda: torch.stack([row.softmax(0) for row in X]),
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
def test_a_respelled_reference_is_caught(name):
    reference, candidate = RESPELLINGS[name]
    assert guards.reference_replicated(_aten(reference), _aten(candidate))


def test_the_reference_run_on_a_smaller_tensor_is_not():
    """A two-stage reduction finishes its per-block partials with torch's own sum."""
    x = torch.randn(64, 4096)
    partials = x.view(64, 16, 256).sum(-1)  # what a Triton first stage would write
    reference = _aten(lambda: x.sum(dim=1))
    assert not guards.reference_replicated(reference, _aten(lambda: partials.sum(dim=1)))
    assert guards.reference_replicated(reference, _aten(lambda: x.clone().sum(1)))


def test_leaving_some_of_the_references_ops_to_pytorch_is_not():
    """A Triton softmax with torch's multiply after it still does the softmax itself."""
    reference = _aten(lambda: torch.softmax(X, dim=1) * SCALE)
    assert not guards.reference_replicated(reference, _aten(lambda: X.clone() * SCALE))
    assert not guards.reference_replicated(reference, _aten(lambda: X.softmax(1)))


def test_cudnns_convolution_without_the_bias_a_kernel_adds_is_not():
    """The generator's cuDNN path: the convolution without its bias, then one Triton pass
    for the bias and the chain after it (agent/generator/templates/conv.py)."""
    x, w, b = torch.randn(2, 3, 10, 11), torch.randn(5, 3, 3, 3), torch.randn(5)
    reference = _aten(lambda: F.conv2d(x, w, b))
    assert not guards.reference_replicated(reference, _aten(lambda: F.conv2d(x, w)))
    assert guards.reference_replicated(reference, _aten(lambda: F.conv2d(x, w, b).clone()))


def test_each_of_the_references_calls_must_be_matched():
    twice = _aten(lambda: torch.relu(torch.relu(X) - 1))
    assert not guards.reference_replicated(twice, _aten(lambda: torch.relu(X) - 1))
    assert guards.reference_replicated(twice, _aten(lambda: (X.relu() - 1).relu()))


def test_the_reference_op_run_in_pieces_is_caught():
    """A softmax of each half, concatenated: two calls on half the rows each."""
    reference = _aten(lambda: torch.softmax(X, dim=1))
    halves = _aten(lambda: torch.cat([X[:3].softmax(1), X[3:].softmax(1)]))
    assert guards.reference_replicated(reference, halves)
    one_row = _aten(lambda: X[:1].softmax(1))
    assert not guards.reference_replicated(reference, one_row)


def test_other_torch_ops_than_the_reference_are_not_caught():
    def by_hand():
        e = torch.exp(X - X.amax(1, keepdim=True))
        return e / e.sum(1, keepdim=True)

    softmax = _aten(lambda: torch.softmax(X, dim=1))
    assert not guards.reference_replicated(softmax, _aten(by_hand))
    relu_linear = _aten(lambda: torch.relu(F.linear(X, W, B)))
    clamped = _aten(lambda: (X @ W.T + B).clamp_min(0))
    assert not guards.reference_replicated(relu_linear, clamped)


def test_the_torch_function_names_are_still_recorded():
    trace = guards.OpTrace()
    with torch.no_grad(), trace:
        F.linear(X, W, B).half()
    assert trace.ops["torch.nn.functional.linear"] == 1
    assert torch.float16 in trace.out_dtypes


TRITON_LAUNCH = r"""
import torch
import triton
import triton.language as tl
from kernelwright.harness import guards

@triton.jit
def double(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(out_ptr + offsets, tl.load(x_ptr + offsets, mask=mask) * 2, mask=mask)

x = torch.randn(6, 10)
trace = guards.OpTrace()
with torch.no_grad(), trace:
    out = torch.empty_like(x)
    double[(1,)](x, out, x.numel(), BLOCK=64)
print(dict(trace.aten_sizes), bool(torch.equal(out, x * 2)))
"""


def test_a_triton_launch_under_the_interpreter_computes_no_aten_op():
    """The interpreter writes a kernel's results back with `set_`: neither a Triton
    reference (a kernel the user selected) nor a Triton candidate is a torch op then."""
    assert script_lines(TRITON_LAUNCH, {"TRITON_INTERPRET": "1"}) == ["{} True"]
