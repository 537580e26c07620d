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
if ! command -v bwrap >/dev/null; then
  for deb in .deb/bubblewrap_*.deb; do dpkg -x "$deb" /; done
fi
. scripts/device_env.sh
nvidia-smi --query-gpu=timestamp,memory.used,utilization.gpu --format=csv,noheader -lms 1000 \
    > "$out/gpu-$tag.csv" 2>&1 &
smi=$!
python3 scripts/core_sampler.py > "$out/cores-$tag.csv" 2>&1 &
cores=$!
spy=()
[ -x .tools/py-spy ] && spy=(.tools/py-spy record --subprocesses --format raw --rate 5 -o "$out/spy-$tag.txt" --)
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  python3 -c "import sys, torch, triton; print(sys.version.split()[0], torch.__version__, torch.version.cuda, triton.__version__)"
  date -u +%FT%TZ; git rev-parse --short HEAD 2>/dev/null; } > "$out/env-$tag.txt" 2>&1
# scripts/device_bench.sh's bench, with py-spy (which needs python, not bash, as its root)
timeout $((limit + 100)) "${spy[@]}" python3 -m kernelwright.server.cli bench benchmarks/large \
    --device cuda --budget 12 --time-limit "$limit" --concurrency 8 --parallel 1 \
    --compile-mode default --out "/tmp/large-$tag" > "$out/large-$tag.log" 2>&1
echo "bench exit $?" >> "$out/large-$tag.log"
tar czf "$out/large-$tag.tgz" --exclude='*.sqlite*' -C /tmp "large-$tag"
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
