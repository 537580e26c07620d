"""What one verification holds at its peak, against what harness/memory.py books for it.

    python scripts/live_memory_audit.py PROBLEM CANDIDATE [NAME=VALUE ...]

Runs the runner's verification (jobs.run_eval, no timing, no compile pass) in this
process on the CPU, unsandboxed (a candidate you trust: benchmarks/large/audit/), and
counts live tensor bytes through PyTorch's dispatcher (tests/helpers_memory.py), so the
figure is the harness's own, whatever an allocator caches. The candidate's temporaries
inside its call are its own and left out; its output counts. NAME=VALUE sets a size
constant of the problem (agent/sizes.py; others keep their `# test: N` value).

Prints the booked need (one input set and two outputs, or two input sets and one output,
both copies of the weights, the reference's intermediates; no context, scratch, float64
or headroom) and the peak.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from kernelwright.agent.sizes import shrink_source
from kernelwright.harness import jobs, memory, pipeline, verify
from kernelwright.harness.loading import load_problem
from kernelwright.harness.messages import JobRequest

from tests.conftest import SilentChannel
from tests.helpers_memory import LiveBytes

MIB = 1 << 20


def main() -> None:
    problem_path, candidate = Path(sys.argv[1]), Path(sys.argv[2]).read_text()
    sizes = dict((name, int(value)) for name, value in (a.split("=") for a in sys.argv[3:]))
    source = shrink_source(problem_path.read_text(), sizes)
    verify.CHUNK_ELEMENTS = 1 << 16  # chunk scratch: a sliver of a set, as at real sizes
    problem = load_problem(source, str(problem_path))
    reference = pipeline.build_reference(problem, 0, torch.device("cpu"))
    with LiveBytes() as live:
        inputs = pipeline.seeded_inputs(problem, 0, torch.device("cpu"))
        before = live.now
        with torch.no_grad():
            out = reference(*inputs)
        working = live.peak - before
    facts = memory.measured(reference, inputs, out, working)
    del inputs, out
    largest = max(facts.inputs, facts.outputs)
    need = 2 * facts.params + facts.inputs + facts.outputs + largest + working - facts.outputs

    run_candidate = pipeline.EvalPipeline._run_candidate

    def outside_the_candidate(self, *args, **kwargs):
        peak = live.peak
        try:
            return run_candidate(self, *args, **kwargs)
        finally:
            live.peak = max(peak, live.now)

    pipeline.EvalPipeline._run_candidate = outside_the_candidate  # type: ignore[method-assign]
    pipeline.EvalPipeline.compile_pass = lambda self: None  # type: ignore[method-assign]
    request = JobRequest(
        kind="eval",
        problem_source=source,
        problem_path=str(problem_path),
        device="cpu",
        candidate_source=candidate,
        time_candidate=False,
    )
    with LiveBytes() as live:
        result = jobs.run_eval(request, SilentChannel())
    print(f"{problem_path.name} {sizes}: {result['outcome']} ({result['message'][:60]})")
    print(
        f"inputs {facts.inputs / MIB:.1f} MiB, weights {facts.params / MIB:.1f}, outputs "
        f"{facts.outputs / MIB:.1f}, reference working {working / MIB:.1f}; booked need "
        f"{need / MIB:.1f} MiB; peak {live.peak / MIB:.1f} MiB = {live.peak / need:.2f}x"
    )


if __name__ == "__main__":
    main()
