"""A generated candidate writes its sizes and grids into the code as numbers, so at
any other shape it would read out of bounds or return a wrong answer silently
(issue 16). Until kernels are shape-generic, it refuses: called at another shape
or dtype, `ModelNew` raises a ValueError that says which input, what it was built
for and what to do; at its own shape it runs as before."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers_problems import capture_many, first_proposal, written_problems

_PROBLEM = """import torch
import torch.nn as nn


class Model(nn.Module):
    def forward(self, X, W):
        return {expression}


def get_inputs():
    return [torch.randn(6, 40), torch.randn(40)]


def get_init_inputs():
    return []
"""

_RUN = """
import importlib.util, sys, torch
spec = importlib.util.spec_from_file_location("candidate", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
model = module.ModelNew()
x, w = torch.randn(6, 40), torch.randn(40)
print("own shape max error", float((model(x, w) - ({expression})(x, w)).abs().max()))
for args in [(torch.randn(7, 40), w), (torch.randn(6, 40, dtype=torch.float64), w)]:
    try:
        model(*args)
        print("RAN at", tuple(args[0].shape), args[0].dtype)
    except ValueError as err:
        print("REFUSED", err)
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "expression",
    ["torch.relu(X * W) + 1.0", "torch.softmax(X * W, dim=-1)"],
    ids=["pointwise", "softmax"],
)
def test_a_candidate_refuses_a_shape_it_was_not_built_for(tmp_path, expression):
    [path] = written_problems(tmp_path, _PROBLEM, {"problem": {"expression": expression}})
    [graph] = capture_many([path])
    candidate = tmp_path / "best.py"
    candidate.write_text(first_proposal(path, graph).source)
    lam = "lambda X, W: " + expression
    script = _RUN.replace("{expression}", lam)
    done = subprocess.run(
        [sys.executable, "-c", script, str(candidate)],
        env={**os.environ, "TRITON_INTERPRET": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert float(lines[0].split()[-1]) < 1e-4  # its own shape: the kernel's answer
    assert lines[1].startswith("REFUSED") and "`X` of shape (6, 40)" in lines[1], lines[1]
    assert "called with (7, 40)" in lines[1] and "Run Optimize again" in lines[1]
    assert lines[2].startswith("REFUSED") and "torch.float64" in lines[2], lines[2]
