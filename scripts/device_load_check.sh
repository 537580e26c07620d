#!/bin/bash
# Issue 15 under load, in one device call (about 8 minutes): the eight problems of
# benchmarks/large at concurrency 8 for TIME_LIMIT seconds, with what bounds them traced
# beside the bench: the device (nvidia-smi: memory, utilisation, once a second), the host's
# cores (/proc/stat, once a second) and, where .tools/py-spy is carried, every process's
# stacks (busy samples only, so the summary counts CPU, not waiting). Then the GPU cheat
# tests. Logs, bench outputs (trajectories included) and traces go under $OUT.
# Usage: scripts/device_load_check.sh TAG [TIME_LIMIT]   (carry .deb and .tools)
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
[ -x .tools/py-spy ] && export BENCH_PREFIX=".tools/py-spy record --subprocesses --format raw --rate 5 -o $out/spy-$tag.txt --"
BUDGET=12 COMPILE_MODE=default bash scripts/device_bench.sh "large-$tag" '.' "$limit" 8 1 \
    $((limit + 100)) benchmarks/large
kill "$smi" "$cores" 2>/dev/null
[ -f "$out/spy-$tag.txt" ] && python3 scripts/spy_summary.py "$out/spy-$tag.txt" 5 > "$out/spy-$tag.md" && gzip "$out/spy-$tag.txt"
python3 scripts/core_sampler.py --summary "$out/cores-$tag.csv" > "$out/cores-$tag.md"
timeout 220 python3 -m pytest -q -rf --tb=line -p no:cacheprovider tests/gpu/test_gpu_cheats.py \
    > "$out/gpu-cheats-$tag.log" 2>&1
tail -4 "$out/gpu-cheats-$tag.log"
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
