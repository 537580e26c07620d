"""The fused comparison kernel (harness/compare_kernel.py) gives the counts and maxima
that harness/verify.py's PyTorch ops give, case by case, under the Triton interpreter:
a verdict may not depend on which of the two compared the outputs."""

from __future__ import annotations

import pytest
import torch
from kernelwright.harness import compare_kernel, verify

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
    # without firsts: a one-element output has no first element to vary from
    for check in (True, False):
        firsts = (verify._first_element(c), verify._first_element(r)) if check else (None, None)
        for scale in ((False, True) if e is not None else (False,)):
            tol = verify.tolerance_for(r.dtype)
            torch_counts, torch_maxima = verify._chunk_totals(c, r, e, firsts, tol, scale)
            values = compare_kernel.scalars(firsts, tol, r.device)
            k_counts, k_maxima = compare_kernel.chunk_totals(c, r, e, values, check, scale)
            a = torch_counts.tolist() + torch_maxima.tolist()
            b = k_counts.tolist() + k_maxima.tolist()
            same = all((math.isnan(x) and math.isnan(y)) or x == y for x, y in zip(a, b))
            print(("SAME " if same else "DIFF ") + f"{name} firsts={check} scale={scale}: {a} vs {b}")
"""


def run_cases(env: dict[str, str]) -> list[str]:
    """Each case's line, SAME or DIFF (tests/gpu/test_compare_kernel.py runs them on a GPU)."""
    return script_lines(CASES, env)


@pytest.fixture(scope="module")
def lines():
    return run_cases({"TRITON_INTERPRET": "1"})


def test_every_case_ran(lines):
    assert len(lines) == 24


def test_kernel_and_pytorch_ops_agree_on_every_count_and_maximum(lines):
    differing = [line for line in lines if not line.startswith("SAME ")]
    assert not differing, "\n".join(differing)


class _LaunchRecorder:
    """Stands for the kernel: records what Triton would compile a launch for (each
    tensor's dtype, each int that the kernel specialises on, the constexprs) and writes
    zero rows, so the comparison goes on as if every element matched."""

    def __init__(self, kernel) -> None:
        self.names = kernel.arg_names
        self.unspecialised = set(kernel.do_not_specialize or [])
        self.keys: list[tuple] = []

    def __getitem__(self, grid):
        def launch(*args, **constexprs):
            key = []
            for name, arg in zip(self.names, args):
                if isinstance(arg, torch.Tensor):
                    key.append((name, arg.dtype))
                elif name not in self.unspecialised:
                    key.append((name, arg))  # Triton compiles a variant per value of 1, ...
            self.keys.append((*key, *sorted(constexprs.items())))
            args[4].zero_()

        return launch


def test_every_float32_comparison_launches_the_one_kernel_a_spare_warms(monkeypatch):
    """A spare compiles the comparison kernel before its request (harness/worker.py); a
    comparison that needs another compile pays it during the evaluation, in the runner
    and again in the judge (whose cache is fresh by then). The usual comparison, the
    float64-bounded one of TF32 convolutions, the one sums and scans fall back to (with
    the output's scale) and a one-element output's all launch what warm() launched."""
    recorder = _LaunchRecorder(compare_kernel._chunk_kernel)
    monkeypatch.setattr(compare_kernel, "_chunk_kernel", recorder)
    monkeypatch.setattr(compare_kernel, "usable", lambda *tensors: True)
    compare_kernel.warm(torch.device("cpu"))
    warmed = set(recorder.keys)
    r = torch.randn(3 * compare_kernel.BLOCK + 5)
    exact = r.double()
    verify.compare(r + 1e-6, r)
    verify.compare(r, r, exact)  # slack: TF32 convolutions
    verify.compare(r, r, exact, slack=False, accumulates=True)  # sums' and scans' fallback
    verify.compare(r[:1], r[:1])
    verify.compare(r[:1], r[:1], exact[:1], slack=False, accumulates=True)
    assert len(recorder.keys) == 6
    assert set(recorder.keys) == warmed, set(recorder.keys) - warmed
