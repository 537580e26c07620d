"""Test helpers: shrink KernelBench problem files, capture them, verify candidates.

Problems declare sizes as module-level constants; `shrunk_problem` rewrites them
to small odd values so the Triton interpreter finishes in seconds. Candidates
are verified by the harness in its worker processes, never in pytest's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

from kernelwright.agent.sizes import shrink_source

REPO = Path(__file__).resolve().parents[1]
PROBLEMS = REPO / "benchmarks" / "problems"


def problem_files() -> list[Path]:
    return sorted(PROBLEMS.glob("[0-9][0-9]_*.py"))


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
    reference.train(not getattr(problem, "INFERENCE", False))  # as harness/loading.py builds it
    return capture_graph(reference, problem.get_inputs())
results = []
for number, job in enumerate(json.load(open(sys.argv[1]))):
    try:
        results.append(capture(job["problem"]))
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
        process = subprocess.run(
            [sys.executable, "-c", _CHILD, str(request), str(answer)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
        if process.returncode != 0 or not answer.exists():
            return [{"outcome": "error", "message": process.stderr[-3000:]} for _ in jobs]
        return json.loads(answer.read_text())


def capture_many(problems: list[Path], timeout: float = 300) -> list[dict]:
    """Capture graphs of several problems in one child process."""
    return _run_jobs([{"mode": "capture", "problem": str(p)} for p in problems], timeout)


def verify_many(
    cases: list[tuple[Path, str]], workers: int | None = None, timeout: float = 600
) -> list[dict]:
    """Verify (problem, candidate source) pairs through the real harness.

    Spawned workers, KernelBench tolerances and every anti-cheat check: a
    generated candidate must pass exactly what a user's search would apply.
    """
    import asyncio

    from kernelwright.harness.evaluate import Harness
    from kernelwright.harness.pool import Limits, WorkerPool

    async def run_all():
        harness = Harness(
            pool=WorkerPool(parallel=workers or os.cpu_count() or 1),
            limits=Limits(timeout_s=timeout),
        )
        return await asyncio.gather(
            *[harness.evaluate(str(problem), source, device="cpu") for problem, source in cases]
        )

    results = asyncio.run(run_all())
    for (problem, _), r in zip(cases, results):
        # A rerun after the judge refused outputs for other inputs (harness/evaluate.py)
        # leaves the verdict right, so the test passes; the warnings summary shows it.
        for flag in r.flags:
            if flag.startswith("evaluated again"):
                warnings.warn(f"{problem.name}: {flag}", stacklevel=2)
    return [
        {
            "outcome": r.outcome,
            "message": r.message,
            "flags": r.flags,
            "shapes": (r.correctness or {}).get("shapes"),
            "notes": (r.correctness or {}).get("notes"),
        }
        for r in results
    ]


def capture(problem: Path) -> dict:
    return capture_many([problem])[0]


_SHRUNK_DIR: Path | None = None
_GRAPHS: dict[str, dict] = {}


def shrunk_all(small: dict[str, dict[str, int]] | None = None) -> dict[str, Path]:
    """Every benchmark problem shrunk once per test session, by file name."""
    global _SHRUNK_DIR
    if _SHRUNK_DIR is None:
        _SHRUNK_DIR = Path(tempfile.mkdtemp(prefix="kw-problems-"))
    return {
        p.name: shrunk_problem(p, _SHRUNK_DIR, (small or {}).get(p.name)) for p in problem_files()
    }


def graphs_for(paths: list[Path]) -> list[dict]:
    """Captured graphs, computed in one child process and cached for the session."""
    missing = [p for p in paths if str(p) not in _GRAPHS]
    if missing:
        for path, graph in zip(missing, capture_many(missing)):
            _GRAPHS[str(path)] = graph
    return [_GRAPHS[str(p)] for p in paths]


def first_proposal(path: Path, graph: dict):
    """The embedded proposer's first candidate for a captured problem (its default)."""
    return root_proposals(path, graph, 1)[0]


def root_proposals(path: Path, graph: dict, count: int, tried: tuple = ()):
    """The embedded proposer's first `count` candidates for a captured problem, none of
    the configs in `tried`."""
    import asyncio

    from kernelwright.agent.proposers.base import ProposalContext
    from kernelwright.agent.proposers.embedded import EmbeddedProposer

    context = ProposalContext(
        problem_path=str(path),
        problem_source=path.read_text(),
        graph=graph,
        device={"name": "cpu", "kind": "cpu", "peaks": None},
        parent=None,
        memory="clean_slate",
        memory_context=(),
        knowledge=(),
        count=count,
        tried=tried,
    )
    return asyncio.run(EmbeddedProposer().propose(context))


# A problem file around one forward, for tests that write blocks as model code does:
# `init` (statements in __init__, "pass" for none), `arguments`, `body`, `inputs`.
FORWARD_PROBLEM = """import math
import torch
import torch.nn as nn
import torch.nn.functional as F

ALPHA = 1.0


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        {init}

    def forward(self, {arguments}):
        {body}


def get_inputs():
    return [{inputs}]


def get_init_inputs():
    return []
"""


def written_problems(folder: Path, template: str, cases: dict[str, dict]) -> list[Path]:
    """One problem file per case: `template` filled with the case's fields."""
    paths = []
    for name, fields in cases.items():
        path = Path(folder) / f"{name}.py"
        path.write_text(template.format(**fields))
        paths.append(path)
    return paths


def captured_forward_problems(folder: Path, cases: dict[str, tuple]) -> dict[str, tuple]:
    """FORWARD_PROBLEM filled with each case's (init, arguments, body, inputs), written and
    captured: name -> (path, graph)."""
    fields = {
        name: {"init": i, "arguments": a, "body": b, "inputs": x}
        for name, (i, a, b, x) in cases.items()
    }
    paths = written_problems(folder, FORWARD_PROBLEM, fields)
    return dict(zip(cases, zip(paths, capture_many(paths), strict=True), strict=True))


def captured_cases(cases: dict[str, tuple]):
    """A test module's `problems` fixture: its cases captured once for the module
    (`captured_forward_problems`), name -> (path, graph)."""
    import pytest

    @pytest.fixture(scope="module")
    def problems(tmp_path_factory):
        return captured_forward_problems(tmp_path_factory.mktemp("cases"), cases)

    return problems


def failures(cases: list[tuple[Path, str]], results: list[dict]) -> list[tuple[str, str]]:
    """(problem, message) of every case the harness did not verify."""
    return [
        (p.name, r["message"][:300])
        for (p, _), r in zip(cases, results, strict=True)
        if r["outcome"] != "ok"
    ]


def apply_edits(doc, changes) -> str:
    """The document's text after the server's edits (byte ranges), applied back to front."""
    data = doc.source
    for e in sorted(changes, key=lambda e: e.start, reverse=True):
        data = data[: e.start] + e.text.encode() + data[e.end :]
    return data.decode()


def run_under_interpreter(path: Path):
    """`python path` with Triton's interpreter (a CPU), its output captured."""
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, str(path)],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "TRITON_INTERPRET": "1"},
    )


def unverified_first_proposals(
    problems: list[tuple[Path, dict]], triton: bool = True
) -> list[tuple[str, str]]:
    """The embedded generator's first candidate for each (problem, captured graph),
    verified through the harness: (problem, message) of each that was not `ok`.
    `triton`: each candidate must launch a Triton kernel of its own."""
    cases = [(path, first_proposal(path, graph).source) for path, graph in problems]
    for path, source in cases:
        assert not triton or "@triton.jit" in source, f"{path.name}: no Triton kernel"
    return failures(cases, verify_many(cases))
