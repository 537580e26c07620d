"""On a real GPU: the fused comparison kernel agrees with PyTorch's ops on every case
of tests/cpu/test_compare_kernel.py, and a multi-GB comparison gives the verdict and
statistics a CPU gives, chunk by chunk."""

from __future__ import annotations

import pytest
import torch
from kernelwright.harness import verify

from tests.cpu.test_compare_kernel import run_cases

pytestmark = pytest.mark.gpu


def test_kernel_and_pytorch_ops_agree_on_a_gpu():
    lines = run_cases({"KW_TEST_DEVICE": "cuda", "TRITON_INTERPRET": "0"})
    assert len(lines) == 24
    assert all(line.startswith("SAME ") for line in lines), "\n".join(lines)


def test_a_two_gb_output_compares_as_on_the_cpu():
    torch.manual_seed(0)
    n = (1 << 29) + 12345  # 2 GiB of float32, dozens of chunks, a partial last block
    reference = torch.randn(n, device="cuda")
    candidate = reference + 1e-6
    candidate[-3] += 1.0  # one element in the last chunk, beyond tolerance
    with pytest.raises(verify.Mismatch) as found:
        verify.compare(candidate, reference)
    assert str(found.value).startswith(f"1/{n} elements differ beyond atol=rtol=0.0001")
    candidate[-3] -= 1.0
    stats = verify.compare(candidate, reference)
    assert 0 < stats.max_abs < 1e-5
