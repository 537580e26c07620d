"""How long an off-the-gate capture (harness/precompile.py) runs and how much host memory
it takes, for one candidate, in this process (unsandboxed: a candidate you trust, or an
endless loop from tests/cheats/ on a machine you can spare).

    python scripts/capture_growth.py PROBLEM.py CANDIDATE.py

Prints the process's resident memory every second while compile_off_the_gate runs, then
its outcome, its seconds and the growth at its peak. Needs a CUDA device.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import torch
from kernelwright.harness import loading, precompile
from kernelwright.harness.pipeline import seeded_inputs


class _NoGate:
    """The channel's two calls the capture makes; alone on the device, nothing to give back."""

    def leave_gpu(self) -> None:
        pass

    def share_gpu(self) -> None:
        pass


def main(problem_path: str, candidate_path: str) -> None:
    device = torch.device("cuda")
    problem = loading.load_problem(Path(problem_path).read_text(), problem_path)
    module = loading.load_module(Path(candidate_path).read_text(), candidate_path, "candidate")
    model = module.ModelNew(*problem.init_inputs).to(device)
    inputs = seeded_inputs(problem, 0, device)
    torch.cuda.synchronize()
    start_rss = precompile._resident_bytes()
    peak = [start_rss]
    done = threading.Event()
    started = time.monotonic()

    def sample() -> None:
        while not done.wait(1.0):
            rss = precompile._resident_bytes()
            peak[0] = max(peak[0], rss)
            print(f"  {time.monotonic() - started:5.1f} s  resident +{(rss - start_rss) >> 20} MiB")

    threading.Thread(target=sample, daemon=True).start()
    outcome = precompile.compile_off_the_gate(model, inputs, device, _NoGate())
    done.set()
    seconds = time.monotonic() - started
    peak[0] = max(peak[0], precompile._resident_bytes())
    print(
        f"{Path(candidate_path).name}: {outcome.name} in {seconds:.1f} s, "
        f"peak resident +{(peak[0] - start_rss) >> 20} MiB "
        f"(bounds: {precompile.CAPTURE_DEADLINE_S:g} s, "
        f"{precompile.CAPTURE_GROWTH_BYTES >> 20} MiB)"
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
