"""bfloat16 `tl.dot` under Triton's interpreter (harness/interpreter_dot.py): the
interpreter multiplied the operands' bit patterns, so on a CPU every bfloat16 matmul
came back `wrong` (Gemma's MLP in bfloat16, benchmarks/corpus/235), whatever the kernel."""

from __future__ import annotations

import pytest

from tests.helpers_problems import (
    captured_forward_problems,
    run_under_interpreter,
    unverified_first_proposals,
)

DOT = """
from kernelwright.harness import interpreter_dot
interpreter_dot.install()

import torch
import triton
import triton.language as tl


@triton.jit
def dot(a_ptr, b_ptr, c_ptr, N: tl.constexpr):
    i = tl.arange(0, N)
    a = tl.load(a_ptr + i[:, None] * N + i[None, :])
    b = tl.load(b_ptr + i[:, None] * N + i[None, :])
    tl.store(c_ptr + i[:, None] * N + i[None, :], tl.dot(a, b))


for dtype in (torch.bfloat16, torch.float16):
    a = torch.randn(16, 16, dtype=dtype) * 30
    b = torch.randn(16, 16, dtype=dtype)
    c = torch.empty(16, 16)
    dot[(1,)](a, b, c, N=16)
    print(dtype, (c - a.float() @ b.float()).abs().max().item())
"""


def test_a_bfloat16_dot_is_the_products_of_its_values(tmp_path):
    script = tmp_path / "dot.py"
    script.write_text(DOT)
    run = run_under_interpreter(script)
    assert run.returncode == 0, run.stderr[-2000:]
    errors = {line.split()[0]: float(line.split()[1]) for line in run.stdout.splitlines()}
    assert errors == {"torch.bfloat16": pytest.approx(0, abs=1e-3), "torch.float16": 0.0}


@pytest.mark.slow
def test_gemmas_bfloat16_mlp_verifies(tmp_path):
    cases = {
        "gemma_mlp_bf16": (
            "self.gate_proj = nn.Linear(32, 48, bias=False, dtype=torch.bfloat16)\n"
            "        self.up_proj = nn.Linear(32, 48, bias=False, dtype=torch.bfloat16)\n"
            "        self.down_proj = nn.Linear(48, 32, bias=False, dtype=torch.bfloat16)",
            "x",
            "gate = F.gelu(self.gate_proj(x), approximate='tanh')\n"
            "        return self.down_proj(gate * self.up_proj(x))",
            "torch.randn(10, 32, dtype=torch.bfloat16) * 4",
        )
    }
    problems = list(captured_forward_problems(tmp_path, cases).values())
    assert unverified_first_proposals(problems) == []
