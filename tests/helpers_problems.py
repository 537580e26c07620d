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


_CHILD = r"""
import importlib.util, json, sys, traceback, torch
def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
def capture(problem_path):
    from kernelwright.harness.capture import capture_graph
    problem = load(problem_path, "problem")
    torch.manual_seed(0)
    reference = problem.Model(*problem.get_init_inputs())
    return capture_graph(reference, problem.get_inputs())
def verify(problem_path, candidate_path, number):
    problem = load(problem_path, f"problem{number}")
    candidate = load(candidate_path, f"candidate{number}")
    torch.manual_seed(0)
    init = problem.get_init_inputs()
    reference = problem.Model(*init)
    model = candidate.ModelNew(*init)
    model.load_state_dict(reference.state_dict(), strict=True)
    worst = 0.0
    for trial in range(2):
        torch.manual_seed(100 + trial)
        inputs = problem.get_inputs()
        with torch.no_grad():
            expected = reference(*inputs)
            got = model(*[x.clone() if torch.is_tensor(x) else x for x in inputs])
        if not isinstance(got, torch.Tensor) or got.shape != expected.shape or got.dtype != expected.dtype:
            return {"outcome": "wrong", "message": f"got {type(got)} {getattr(got, 'shape', None)} {getattr(got, 'dtype', None)}"}
        tol = {torch.float32: 1e-4, torch.float16: 1e-2, torch.bfloat16: 1e-2}.get(expected.dtype, 0)
        if expected.is_floating_point():
            ok = torch.allclose(got, expected, atol=tol, rtol=tol)
        else:
            ok = torch.equal(got, expected)
        error = (got.double() - expected.double()).abs().max().item() if got.numel() else 0.0
        worst = max(worst, error)
        if not ok:
            return {"outcome": "wrong", "max_abs": error}
    return {"outcome": "ok", "max_abs": worst}
results = []
for number, job in enumerate(json.load(open(sys.argv[1]))):
    try:
        if job["mode"] == "capture":
            results.append(capture(job["problem"]))
        else:
            results.append(verify(job["problem"], job["candidate"], number))
    except Exception:
        results.append({"outcome": "error", "message": traceback.format_exc()[-3000:]})
json.dump(results, open(sys.argv[2], "w"))
"""


def _run_jobs(jobs: list[dict], timeout: float) -> list[dict]:
    env = dict(os.environ, TRITON_INTERPRET="1", PYTHONHASHSEED="0")
    with tempfile.TemporaryDirectory() as directory:
        for number, job in enumerate(jobs):
            if "source" in job:
                path = Path(directory) / f"candidate_{number}.py"
                path.write_text(job.pop("source"))
                job["candidate"] = str(path)
        request, answer = Path(directory) / "jobs.json", Path(directory) / "results.json"
        request.write_text(json.dumps(jobs))
        process = subprocess.run([sys.executable, "-c", _CHILD, str(request), str(answer)],
                                 capture_output=True, text=True, timeout=timeout, env=env, check=False)
        if process.returncode != 0 or not answer.exists():
            return [{"outcome": "error", "message": process.stderr[-3000:]} for _ in jobs]
        return json.loads(answer.read_text())


def capture_many(problems: list[Path], timeout: float = 300) -> list[dict]:
    """Capture graphs of several problems in one child process."""
    return _run_jobs([{"mode": "capture", "problem": str(p)} for p in problems], timeout)


def verify_many(cases: list[tuple[Path, str]], workers: int | None = None,
                timeout: float = 600) -> list[dict]:
    """Verify (problem, candidate source) pairs in `workers` child processes at once."""
    from concurrent.futures import ThreadPoolExecutor

    workers = max(1, min(workers or os.cpu_count() or 1, len(cases)))
    batches = [list(range(i, len(cases), workers)) for i in range(workers)]

    def run(batch: list[int]) -> list[dict]:
        return _run_jobs([{"mode": "verify", "problem": str(cases[i][0]), "source": cases[i][1]}
                          for i in batch], timeout)

    results: list[dict] = [{}] * len(cases)
    with ThreadPoolExecutor(workers) as pool:
        for batch, answers in zip(batches, pool.map(run, batches)):
            for index, answer in zip(batch, answers):
                results[index] = answer
    return results


def verify(problem: Path, candidate_source: str) -> dict:
    """{"outcome": "ok"|"wrong"|"error", ...}; the harness's evaluate() once it is wired in."""
    evaluate_module = REPO / "harness" / "evaluate.py"
    if evaluate_module.exists() and os.environ.get("KW_TEST_USE_HARNESS") == "1":
        from kernelwright.harness.evaluate import evaluate

        result = evaluate(str(problem), candidate_source, device="cpu")
        return {"outcome": result.outcome, "message": result.message}
    return verify_many([(problem, candidate_source)])[0]


def capture(problem: Path) -> dict:
    return capture_many([problem])[0]


_SHRUNK_DIR: Path | None = None
_GRAPHS: dict[str, dict] = {}


def shrunk_all(small: dict[str, dict[str, int]] | None = None) -> dict[str, Path]:
    """Every benchmark problem shrunk once per test session, by file name."""
    global _SHRUNK_DIR
    if _SHRUNK_DIR is None:
        _SHRUNK_DIR = Path(tempfile.mkdtemp(prefix="kw-problems-"))
    return {p.name: shrunk_problem(p, _SHRUNK_DIR, (small or {}).get(p.name))
            for p in problem_files()}


def graphs_for(paths: list[Path]) -> list[dict]:
    """Captured graphs, computed in one child process and cached for the session."""
    missing = [p for p in paths if str(p) not in _GRAPHS]
    if missing:
        for path, graph in zip(missing, capture_many(missing)):
            _GRAPHS[str(path)] = graph
    return [_GRAPHS[str(p)] for p in paths]
