"""Why the generator may emit `input_precision="tf32x3"` for fp32 problems and never "tf32".

The Triton interpreter computes every tl.dot in plain fp32 whatever its
input_precision, so the CPU cannot run the tensor-core path. These tests
emulate it: round each fp32 operand to TF32 (10 explicit mantissa bits,
round to nearest even, as the tensor cores take them), form 3xTF32 as
hi·hi + hi·lo + lo·hi, and hand the results to the harness's own fp32
criterion against PyTorch's fp32 matmul, as a GPU verification would.
"""

from __future__ import annotations

import pytest
import torch
from kernelwright.harness import verify
from kernelwright.harness.static_checks import find_cheats


def to_tf32(x: torch.Tensor) -> torch.Tensor:
    bits = x.contiguous().view(torch.int32)
    lsb = (bits >> 13) & 1
    return ((bits + 0xFFF + lsb) & ~0x1FFF).view(torch.float32)


def tf32x3_matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    a_hi, b_hi = to_tf32(a), to_tf32(b)
    a_lo, b_lo = to_tf32(a - a_hi), to_tf32(b - b_hi)
    return a_hi @ b_hi + (a_hi @ b_lo + a_lo @ b_hi)


@pytest.fixture(scope="module")
def operands():
    generator = torch.Generator().manual_seed(0)
    # K = 4096 as the bench's fp32 matmul; M and N small to keep the CPU quick
    return torch.randn(96, 4096, generator=generator), torch.randn(4096, 80, generator=generator)


def test_3xtf32_passes_the_fp32_criterion_strictly(operands):
    a, b = operands
    reference = a @ b
    stats = verify.compare_outputs(tf32x3_matmul(a, b), reference)
    assert stats.criterion == "allclose"
    # and its error against float64 is of fp32's own size
    exact = a.double() @ b.double()
    ours = (tf32x3_matmul(a, b).double() - exact).abs().max().item()
    pytorch = (reference.double() - exact).abs().max().item()
    assert ours < 3 * pytorch


def test_plain_tf32_is_wrong_under_the_same_criterion(operands):
    a, b = operands
    with pytest.raises(verify.Mismatch):
        verify.compare_outputs(to_tf32(a) @ to_tf32(b), a @ b)


@pytest.mark.parametrize(
    "argument, rejected",
    [
        ('input_precision="tf32x3"', False),
        ('input_precision="ieee"', False),
        ('input_precision="tf32"', True),
        ("", True),
    ],
)
def test_the_static_check_admits_3xtf32_and_rejects_tf32(argument, rejected):
    comma = ", " if argument else ""
    source = (
        "import triton\nimport triton.language as tl\n"
        "@triton.jit\ndef k(a, b):\n"
        f"    acc = tl.dot(a, b{comma}{argument})\n"
    )
    rules = {f.rule for f in find_cheats(source, True)}
    assert ("precision-downcast" in rules) is rejected
