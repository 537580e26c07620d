#!/bin/bash
# Issue 15 under load, in one device call (about 8 minutes): the eight problems of
# benchmarks/large at concurrency 8 for TIME_LIMIT seconds, with what bounds them traced
# beside the bench: the device (nvidia-smi: memory, utilisation, once a second), the host's
# cores (/proc/stat, once a second) and, where .tools/py-spy is carried, every process's
# stacks (busy samples only, so the summary counts CPU, not waiting). Then the GPU cheat
# tests. Logs, bench outputs (trajectories included) and traces go under $OUT.
# Usage: scripts/device_load_check.sh TAG [TIME_LIMIT]   (carry .deb and .tools)
# Environment: FILTER (the problems, '.'), CONCURRENCY (8), SPY_IDLE=1 (py-spy counts waiting
# too: wall seconds, for one evaluation alone), CHEATS=0 (skip the cheat tests).
set -u
cd "$(dirname "$0")/.."
tag=$1 limit=${2:-150} out=${OUT:-/tmp/out}
mkdir -p "$out"
. scripts/device_env.sh
nvidia-smi --query-gpu=timestamp,memory.used,utilization.gpu --format=csv,noheader -lms 1000 \
    > "$out/gpu-$tag.csv" 2>&1 &
smi=$!
python3 scripts/core_sampler.py > "$out/cores-$tag.csv" 2>&1 &
cores=$!
# py-spy wraps the bench's python itself (it needs python, not bash, as its root)
rate=5 idle=
[ "${SPY_IDLE:-0}" = 1 ] && rate=20 idle=--idle
[ -x .tools/py-spy ] && export BENCH_PREFIX=".tools/py-spy record --subprocesses $idle --format raw --rate $rate -o $out/spy-$tag.txt --"
# STOP_S leaves the final evaluations (about 12 s each, one after another) time to end:
# py-spy killed by the timeout writes nothing.
BUDGET=12 COMPILE_MODE=default bash scripts/device_bench.sh "large-$tag" "${FILTER:-.}" "$limit" \
    "${CONCURRENCY:-8}" 1 $((limit + 200)) benchmarks/large
kill "$smi" "$cores" 2>/dev/null
[ -f "$out/spy-$tag.txt" ] && python3 scripts/spy_summary.py "$out/spy-$tag.txt" "$rate" > "$out/spy-$tag.md" && gzip "$out/spy-$tag.txt"
python3 scripts/core_sampler.py --summary "$out/cores-$tag.csv" > "$out/cores-$tag.md"
# -v: each test's verdict is in the log as it ends, even where the timeout cuts the run
[ "${CHEATS:-1}" = 1 ] && timeout 300 python3 -m pytest -v -rf --tb=short -p no:cacheprovider \
    tests/gpu/test_gpu_cheats.py > "$out/gpu-cheats-$tag.log" 2>&1
grep -E "FAILED|ERROR|passed|failed" "$out/gpu-cheats-$tag.log" 2>/dev/null | tail -6
cat "$out/spy-$tag.md" 2>/dev/null | head -40
cat "$out/cores-$tag.md"
python3 - "$tag" <<'PY'
import json, sys
tag = sys.argv[1]
try:
    summary = json.load(open(f"/tmp/large-{tag}/bench.json"))["summary"]
except (OSError, ValueError, KeyError) as err:
    sys.exit(f"no bench.json: {err}")
keys = ("problems", "evaluations", "evaluations_per_minute", "eval_s_median_of_rows",
        "gpu_wait_s_median_of_rows", "geomean_vs_eager", "geomean_vs_compile")
print({k: summary.get(k) for k in keys})
PY
