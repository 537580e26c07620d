#!/bin/bash
# Issue 15's harness on one GPU, in one device call (about 8 minutes): the eight large
# problems at concurrency 8 with what bounds them traced (scripts/device_load_check.sh,
# cheat tests left out); then, in one file harness-TAG.md: where one evaluation's
# verification spends its time alone (scripts/trial_step_times.py, on four of the
# problems with the kernel that bench found), the GPU tests of the harness's own kernels,
# and an endless-loop candidate's verdict under the GPU cheats' limits.
# Usage: scripts/device_harness_check.sh TAG [TIME_LIMIT]   (carry .deb and .tools)
set -u
cd "$(dirname "$0")/.."
tag=$1 limit=${2:-150} out=${OUT:-/tmp/out}
mkdir -p "$out"
export CHEATS=0
bash scripts/device_load_check.sh "$tag" "$limit"
rm -f "$out/spy-$tag.txt.gz"  # its summary stays: a device call brings back few files
. scripts/device_env.sh
report="$out/harness-$tag.md"
for name in 01_relu_large 02_softmax_large 03_rms_norm_large 05_cumsum_large; do
    kernel="/tmp/large-$tag/$name/best.py"
    [ -f "$kernel" ] || { echo "$name: no kernel from the bench" >> "$report"; continue; }
    timeout 120 python3 scripts/trial_step_times.py "benchmarks/large/$name.py" "$kernel" cuda \
        >> "$report" 2>&1
done
timeout 120 python3 -m pytest -q -p no:cacheprovider tests/gpu/test_digest_kernel.py \
    tests/gpu/test_compare_kernel.py tests/gpu/test_gpu_kernel_cache.py 2>&1 | tail -1 >> "$report"
timeout 150 python3 - >> "$report" 2>&1 <<'PY'
import asyncio
from pathlib import Path
from kernelwright.harness.evaluate import Harness
from kernelwright.harness.pool import Limits, WorkerPool

harness = Harness(pool=WorkerPool(parallel=1), limits=Limits(timeout_s=90, memory_bytes=8 << 30))
result = asyncio.run(harness.evaluate("tests/problems/small_softmax.py",
    Path("tests/cheats/timeout_loop.py").read_text(), device="cuda", compile_baseline=False))
print("timeout_loop (expect timeout):", result.outcome, "-", result.message)
PY
grep -E "^[0-9].* in .* s|passed|failed|timeout_loop" "$report"
