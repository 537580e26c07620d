"""The process ncu profiles: one forward of Model (or ModelNew) inside an NVTX range.

`python -m kernelwright.harness.ncu_target PROBLEM [CANDIDATE] --seed N`, started
by harness.ncu under `ncu --nvtx-include kernelwright/`. Two forwards run before
the range, so Triton's JIT and autotuning and cuDNN/cuBLAS heuristics are not
what gets profiled; only the kernels of the one forward inside it are.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kernelwright.harness.ncu_target")
    parser.add_argument("problem")
    parser.add_argument("candidate", nargs="?")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--warmups", type=int, default=2)
    args = parser.parse_args(argv)
    # ncu prints its CSV on stdout: what the problem or candidate prints goes
    # to stderr, so it can never pose as a profiled kernel.
    sys.stdout.flush()
    os.dup2(2, 1)

    import torch
    from kernelwright.harness.loading import (
        build_candidate,
        build_reference,
        load_module,
        load_problem,
    )
    from kernelwright.harness.ncu import NVTX_RANGE
    from kernelwright.harness.pipeline import seeded_inputs

    device = torch.device("cuda", 0)
    with open(args.problem) as handle:
        problem = load_problem(handle.read(), args.problem)
    model = build_reference(problem, args.seed, device)
    if args.candidate:
        with open(args.candidate) as handle:
            module = load_module(handle.read(), args.candidate, "kernelwright_candidate")
        # The reference's weights, as the pipeline does: the same work is profiled.
        model, _ = build_candidate(module, problem, model, args.seed, device)
    inputs = seeded_inputs(problem, args.seed, device)
    with torch.no_grad():
        for _ in range(args.warmups):
            model(*inputs)
        torch.cuda.synchronize()
        torch.cuda.nvtx.range_push(NVTX_RANGE)
        model(*inputs)
        torch.cuda.nvtx.range_pop()
        torch.cuda.synchronize()
    return 0


if __name__ == "__main__":
    sys.exit(main())
