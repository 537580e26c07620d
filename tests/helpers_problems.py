"""Test helpers: shrink KernelBench problem files and verify candidates in a subprocess.

Problems declare sizes as module-level constants; `shrunk_problem` rewrites them
to small odd values so the Triton interpreter finishes in seconds. Candidates
are always executed in a child process (TRITON_INTERPRET=1), never in pytest's.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROBLEMS = REPO / "benchmarks" / "problems"
_CONSTANT = re.compile(r"^([A-Z][A-Z0-9_]*)[ \t]*=[ \t]*(\d+)[ \t]*(#.*)?$", re.MULTILINE)


def problem_files() -> list[Path]:
    return sorted(PROBLEMS.glob("[0-9][0-9]_*.py"))


def shrink_source(source: str, small: dict[str, int] | None = None) -> str:
    """Rewrite integer size constants: names in `small` get that value, others a small odd one.

    A `# test: N` comment on the constant's line picks the value used in tests.
    """
    small = small or {}

    def replace(match: re.Match) -> str:
        name, value, comment = match.group(1), int(match.group(2)), match.group(3) or ""
        hinted = re.search(r"test:\s*(\d+)", comment)
        if name in small:
            new = small[name]
        elif hinted:
            new = int(hinted.group(1))
        else:
            new = value if value <= 7 else 7 + 2 * ((value + len(name)) % 4)  # odd, not 2^k
        return f"{name} = {new}  {comment}".rstrip()

    return _CONSTANT.sub(replace, source)


def shrunk_problem(path: Path, directory: Path, small: dict[str, int] | None = None) -> Path:
    target = Path(directory) / path.name
    target.write_text(shrink_source(path.read_text(), small))
    return target


_CHILD = r'''
import importlib.util, json, sys, torch
def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
problem = load(sys.argv[1], "problem")
candidate = load(sys.argv[2], "candidate")
torch.manual_seed(0)
init = problem.get_init_inputs()
reference = problem.Model(*init)
mode = sys.argv[3]
if mode == "capture":
    from kernelwright.harness.capture import capture_graph
    torch.manual_seed(1)
    print(json.dumps(capture_graph(reference, problem.get_inputs())))
    sys.exit(0)
model = candidate.ModelNew(*init)
missing = model.load_state_dict(reference.state_dict(), strict=True)
worst = 0.0
for trial in range(2):
    torch.manual_seed(100 + trial)
    inputs = problem.get_inputs()
    with torch.no_grad():
        expected = reference(*inputs)
        got = model(*[x.clone() if torch.is_tensor(x) else x for x in inputs])
    assert isinstance(got, torch.Tensor), type(got)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    tol = {torch.float32: 1e-4, torch.float16: 1e-2, torch.bfloat16: 1e-2}.get(expected.dtype, 0)
    if expected.is_floating_point():
        ok = torch.allclose(got, expected, atol=tol, rtol=tol)
        worst = max(worst, (got - expected).abs().max().item() if got.numel() else 0.0)
    else:
        ok = torch.equal(got, expected)
    if not ok:
        print(json.dumps({"outcome": "wrong", "max_abs": (got.double() - expected.double()).abs().max().item()}))
        sys.exit(0)
print(json.dumps({"outcome": "ok", "max_abs": worst}))
'''


def run_child(problem: Path, candidate_source: str | None, mode: str, timeout: float = 240) -> dict:
    """Run the verification (or capture) child; returns its JSON verdict or an error dict."""
    env = dict(os.environ, TRITON_INTERPRET="1", PYTHONHASHSEED="0")
    with tempfile.TemporaryDirectory() as directory:
        candidate = Path(directory) / "candidate.py"
        candidate.write_text(candidate_source or "")
        process = subprocess.run([sys.executable, "-c", _CHILD, str(problem), str(candidate), mode],
                                 capture_output=True, text=True, timeout=timeout, env=env)
    if process.returncode != 0:
        return {"outcome": "error", "stderr": process.stderr[-4000:]}
    return json.loads(process.stdout.strip().splitlines()[-1])


def capture(problem: Path) -> dict:
    result = run_child(problem, "", "capture")
    assert "outcome" not in result, result
    return result


def verify(problem: Path, candidate_source: str) -> dict:
    """{"outcome": "ok"|"wrong"|"error", ...}: the harness's evaluate() when it exists."""
    evaluate_module = REPO / "harness" / "evaluate.py"
    if evaluate_module.exists() and os.environ.get("KW_TEST_USE_HARNESS") == "1":
        from kernelwright.harness.evaluate import evaluate

        result = evaluate(str(problem), candidate_source, device="cpu")
        return {"outcome": result.outcome, "message": result.message}
    return run_child(problem, candidate_source, "verify")
