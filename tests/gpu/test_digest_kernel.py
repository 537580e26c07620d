"""On a real GPU: the one-pass digest kernel gives the digest PyTorch's ops give on every
case of tests/cpu/test_digest_kernel.py, and notices a changed and a moved word."""

from __future__ import annotations

import pytest

from tests.cpu.test_digest_kernel import run_cases

pytestmark = pytest.mark.gpu


def test_kernel_and_pytorch_ops_give_the_same_digest_on_a_gpu():
    lines = run_cases({"KW_TEST_DEVICE": "cuda", "TRITON_INTERPRET": "0"})
    assert sum(line.startswith("SAME ") for line in lines) == 10, "\n".join(lines)
    assert [line for line in lines if line.startswith(("MOVED ", "STILL "))] == [
        "MOVED one ulp",
        "MOVED two words swapped",
    ], "\n".join(lines)
