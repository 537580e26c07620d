#!/bin/bash
# Issue 15's harness on one GPU, in one device call (about 8 minutes): where one
# evaluation's verification spends its time alone (scripts/trial_step_times.py, four large
# problems), the GPU tests of the harness's own kernels, an endless-loop candidate's
# verdict under the GPU cheats' limits, then the eight large problems at concurrency 8
# with what bounds them traced (scripts/device_load_check.sh, cheat tests left out).
# Usage: scripts/device_harness_check.sh TAG [TIME_LIMIT]
#   carry .deb, .tools and .devprof (each large problem's candidate, PROBLEM.py)
set -u
cd "$(dirname "$0")/.."
tag=$1 limit=${2:-150} out=${OUT:-/tmp/out}
mkdir -p "$out"
. scripts/device_env.sh
for problem in .devprof/*.py; do
    name=$(basename "$problem" .py)
    timeout 120 python3 scripts/trial_step_times.py "benchmarks/large/$name.py" "$problem" cuda \
        > "$out/steps-$name-$tag.md" 2>&1
    head -1 "$out/steps-$name-$tag.md"
done
timeout 120 python3 -m pytest -q -p no:cacheprovider tests/gpu/test_digest_kernel.py \
    tests/gpu/test_compare_kernel.py > "$out/kernels-$tag.log" 2>&1
tail -1 "$out/kernels-$tag.log"
timeout 150 python3 - > "$out/timeout-loop-$tag.log" 2>&1 <<'PY'
import asyncio
from pathlib import Path
from kernelwright.harness.evaluate import Harness
from kernelwright.harness.pool import Limits, WorkerPool

harness = Harness(pool=WorkerPool(parallel=1), limits=Limits(timeout_s=90, memory_bytes=8 << 30))
result = asyncio.run(harness.evaluate("tests/problems/small_softmax.py",
    Path("tests/cheats/timeout_loop.py").read_text(), device="cuda", compile_baseline=False))
print("timeout_loop:", result.outcome, "-", result.message)
PY
tail -1 "$out/timeout-loop-$tag.log"
export CHEATS=0
bash scripts/device_load_check.sh "$tag" "$limit"
