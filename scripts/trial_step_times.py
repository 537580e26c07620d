"""Where one evaluation's verification spends its time, step by step, on one device.

    python scripts/trial_step_times.py PROBLEM.py CANDIDATE.py [cuda|cpu]

Runs the runner's verification (jobs.run_eval without timing) and then the judge's
replay of its outputs (judge.judge) in this process, unsandboxed: for a problem and a
candidate you trust (the embedded generator's). Each step below is timed with the
device synchronised before and after, so a step's seconds are its own GPU work plus its
launches and allocations. Nested steps count in each. Prints a Markdown table.
"""

from __future__ import annotations

import collections
import functools
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import torch
from kernelwright.harness import distributions, jobs, judge, pipeline, verify
from kernelwright.harness.handover import OutputHandover
from kernelwright.harness.messages import JobRequest

SECONDS: collections.Counter = collections.Counter()
CALLS: collections.Counter = collections.Counter()
ROLE = ["runner"]


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def _timed(owner, name: str, label: str) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        _sync()
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            _sync()
            SECONDS[(ROLE[0], label)] += time.perf_counter() - start
            CALLS[(ROLE[0], label)] += 1

    setattr(owner, name, wrapper)


STEPS = [
    (pipeline, "seeded_inputs", "draw inputs (seeded_inputs)"),
    (distributions, "derive", "derive a distribution"),
    (pipeline.EvalPipeline, "reference_defined_on", "domain check (clone + reference)"),
    (pipeline.EvalPipeline, "_reference_output", "reference forward"),
    (pipeline.EvalPipeline, "_float64_reference", "float64 reference"),
    (pipeline.EvalPipeline, "_run_candidate", "candidate (poison included)"),
    (verify, "poison_allocator", "poison allocator"),
    (verify, "input_digests", "input digests"),
    (verify, "inputs_unchanged", "inputs unchanged (digest)"),
    (verify, "relocated", "relocated inputs"),
    (verify, "clone_inputs", "clone inputs"),
    (verify, "compare_outputs", "compare outputs"),
    (OutputHandover, "add", "hand over outputs"),
    (torch.cuda, "empty_cache", "empty_cache"),
    (pipeline.EvalPipeline, "load", "load problem + candidate"),
    (pipeline.EvalPipeline, "load_reference", "load reference"),
    (pipeline.EvalPipeline, "compile_pass", "compile pass"),
    (pipeline.EvalPipeline, "verify_trials", "verify_trials (all)"),
    (judge, "check_timing", "judge: timing floor check"),
]


class _Channel:
    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def main() -> None:
    problem, candidate = Path(sys.argv[1]), Path(sys.argv[2])
    device = sys.argv[3] if len(sys.argv) > 3 else "cuda"
    for owner, name, label in STEPS:
        _timed(owner, name, label)
    with tempfile.TemporaryDirectory() as outputs:
        request = JobRequest(
            kind="eval",
            problem_source=problem.read_text(),
            problem_path=str(problem),
            device=device,
            candidate_source=candidate.read_text(),
            time_candidate=False,
            compile_baseline=False,
            outputs_dir=outputs,
        )
        start = time.perf_counter()
        claimed = jobs.run_eval(request, _Channel())
        runner_s = time.perf_counter() - start
        ROLE[0] = "judge"
        start = time.perf_counter()
        # the judge's own request names no outputs folder: it reads the runner's
        verdict = judge.judge(replace(request, outputs_dir=None), claimed, Path(outputs), None)
        judge_s = time.perf_counter() - start
    print(
        f"{problem.name}: runner {claimed['outcome']} in {runner_s:.2f} s, "
        f"judge {verdict['outcome']} in {judge_s:.2f} s, "
        f"peak reserved {torch.cuda.max_memory_reserved() / 2**30:.1f} GiB"
        if torch.cuda.is_available()
        else ""
    )
    print("| role | step | calls | seconds |\n|---|---|---|---|")
    for (role, label), secs in sorted(
        SECONDS.items(), key=lambda kv: (kv[0][0] != "runner", -kv[1])
    ):
        print(f"| {role} | {label} | {CALLS[(role, label)]} | {secs:.3f} |")


if __name__ == "__main__":
    main()
