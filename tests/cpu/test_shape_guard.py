"""A generated candidate reads its leading dim (the batch) from its inputs at run
time, so it runs right at batch 1, at an odd batch and at a batch larger than the
problem's, and on a transposed view (issue 16); other dims and the dtype stay what it was built for, and
there it refuses: `ModelNew` raises a ValueError that says which input, what it
was built for and what to do, and `kw_accepts` says no, so applied code runs the
original PyTorch."""

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
reference = {expression}
w = torch.randn(40)
# the last: a transposed view (not contiguous), as a caller's activation may be
for x in [torch.randn(6, 40), torch.randn(1, 40), torch.randn(3, 40), torch.randn(37, 40),
          torch.randn(40, 5).t()]:
    error = float((model(x, w) - reference(x, w)).abs().max())
    print("RAN at", tuple(x.shape), "accepts", module.kw_accepts(x, w), "max error", error)
for args in [(torch.randn(6, 41), torch.randn(41)), (torch.randn(6, 40, dtype=torch.float64), w)]:
    print("accepts", module.kw_accepts(*args))
    try:
        model(*args)
        print("RAN at", tuple(args[0].shape), args[0].dtype)
    except ValueError as err:
        print("REFUSED", err)
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "expression",
    [
        "torch.relu(X * W) + 1.0",
        "torch.softmax(X * W, dim=-1)",
        "torch.nn.functional.layer_norm(X * W, (40,))",
        "(X * W).sum(dim=1, keepdim=True)",
    ],
    ids=["pointwise", "softmax", "layer_norm", "row_sum"],
)
def test_a_candidate_runs_at_any_batch_and_refuses_other_sizes(tmp_path, expression):
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
    for line, batch in zip(lines[:5], (6, 1, 3, 37, 5), strict=True):
        assert line.startswith(f"RAN at ({batch}, 40) accepts True"), line
        assert float(line.split()[-1]) < 1e-4, line  # the kernel's answer at that batch
    assert lines[5] == "accepts False"
    assert lines[6].startswith("REFUSED") and "`X` of shape (None, 40)" in lines[6], lines[6]
    assert "called with (6, 41)" in lines[6] and "Run Optimize again" in lines[6]
    assert lines[7] == "accepts False"
    assert lines[8].startswith("REFUSED") and "torch.float64" in lines[8], lines[8]
