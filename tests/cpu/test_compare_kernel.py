"""The fused comparison kernel (harness/compare_kernel.py) gives the counts and maxima
that harness/verify.py's PyTorch ops give, case by case, under the Triton interpreter:
a verdict may not depend on which of the two compared the outputs."""

from __future__ import annotations

import pytest

from tests.conftest import script_lines

CASES = r"""
import math
import os
import torch
from kernelwright.harness import compare_kernel, verify

DEVICE = os.environ.get("KW_TEST_DEVICE", "cpu")

def cases():
    g = torch.Generator().manual_seed(0)
    n = 3 * compare_kernel.BLOCK + 77  # a partial last block
    r = torch.randn(n, generator=g)
    yield "close", r + 1e-6 * torch.randn(n, generator=g), r, None
    yield "beyond tolerance", r + 1e-2 * (torch.arange(n) % 97 == 0), r, None
    nan_r = r.clone(); nan_r[5] = float("nan"); nan_r[9] = float("inf")
    same = nan_r.clone()
    yield "reference NaN/Inf reproduced", same, nan_r, None
    moved = nan_r.clone(); moved[5] = 1.0
    yield "reference NaN not reproduced", moved, nan_r, None
    new = r.clone(); new[7] = float("nan"); new[8] = -float("inf")
    yield "candidate NaN/Inf", new, r, None
    yield "constant", torch.full_like(r, 0.25), r, None
    yield "bfloat16", (r + 1e-3).bfloat16(), r.bfloat16(), None
    yield "float16 large", (r * 1e3).half(), (r * 1e3 + 0.5).half(), None
    exact = r.double() + 1e-7 * torch.randn(n, generator=g, dtype=torch.float64)
    yield "against float64", r + 1e-5, r, exact
    yield "against float64 with NaN", new, nan_r, exact

for name, c, r, e in cases():
    c, r = c.to(DEVICE), r.to(DEVICE)
    e = e.to(DEVICE) if e is not None else None
    firsts = (verify._first_element(c), verify._first_element(r))
    for want_scale in ((False, True) if e is not None else (False,)):
        tol = verify.tolerance_for(r.dtype)
        torch_counts, torch_maxima = verify._chunk_totals(c, r, e, firsts, tol, want_scale)
        values = compare_kernel.scalars(firsts, tol, r.device)
        k_counts, k_maxima = compare_kernel.chunk_totals(c, r, e, values, True, want_scale)
        a = torch_counts.tolist() + torch_maxima.tolist()
        b = k_counts.tolist() + k_maxima.tolist()
        same = all((math.isnan(x) and math.isnan(y)) or x == y for x, y in zip(a, b))
        print(("SAME " if same else "DIFF ") + name + f" scale={want_scale}: {a} vs {b}")
"""


def run_cases(env: dict[str, str]) -> list[str]:
    """Each case's line, SAME or DIFF (tests/gpu/test_compare_kernel.py runs them on a GPU)."""
    return script_lines(CASES, env)


@pytest.fixture(scope="module")
def lines():
    return run_cases({"TRITON_INTERPRET": "1"})


def test_every_case_ran(lines):
    assert len(lines) == 12


def test_kernel_and_pytorch_ops_agree_on_every_count_and_maximum(lines):
    differing = [line for line in lines if not line.startswith("SAME ")]
    assert not differing, "\n".join(differing)
