#!/bin/bash
# Issue 15's harness check in one device call (about 7 minutes): the eight problems of
# benchmarks/large at once, then the softmax search alone under py-spy, every process
# sampled. Logs, bench outputs (trajectories included) and samples go under $OUT.
# Usage: scripts/device_harness_check.sh TAG   (carry .deb and .tools: bubblewrap's
# package and a py-spy binary, as .tools/py-spy)
set -u
cd "$(dirname "$0")/.."
tag=$1 out=${OUT:-/tmp/out}
mkdir -p "$out"
BUDGET=4 COMPILE_MODE=default bash scripts/device_bench.sh "large-$tag" '.' 60 8 1 270 benchmarks/large
. scripts/device_env.sh
spy=()
[ -x .tools/py-spy ] && spy=(.tools/py-spy record --subprocesses --idle --format raw --rate 20 -o "$out/spy-$tag.txt" --)
timeout 150 "${spy[@]}" python3 -m kernelwright.server.cli bench benchmarks/large --filter softmax \
    --device cuda --budget 4 --time-limit 45 --concurrency 1 --parallel 1 --compile-mode default \
    --out "/tmp/softmax-alone-$tag" > "$out/softmax-alone-$tag.log" 2>&1
echo "softmax alone exit $?" >> "$out/softmax-alone-$tag.log"
tar czf "$out/softmax-alone-$tag.tgz" --exclude='*.sqlite*' -C /tmp "softmax-alone-$tag"
[ -f "$out/spy-$tag.txt" ] && python3 scripts/spy_summary.py "$out/spy-$tag.txt" > "$out/spy-$tag.md" && gzip "$out/spy-$tag.txt"
tail -3 "$out/softmax-alone-$tag.log"; cat "$out/spy-$tag.md" 2>/dev/null
python3 - "$tag" <<'PY'
import json, sys
tag = sys.argv[1]
for name in (f"/tmp/large-{tag}", f"/tmp/softmax-alone-{tag}"):
    try:
        summary = json.load(open(f"{name}/bench.json"))["summary"]
    except (OSError, ValueError, KeyError) as err:
        print(name, "no bench.json:", err)
        continue
    keys = ("problems", "evaluations", "evaluations_per_minute", "eval_s_median_of_rows",
            "eval_starting_s_median_of_rows", "gpu_wait_s_median_of_rows", "geomean_vs_eager",
            "geomean_vs_compile")
    print(name, {k: summary.get(k) for k in keys})
PY
# Where a worker's start goes: every module the worker imports before its request, by
# cumulative microseconds (python -X importtime), the twenty slowest.
python3 -X importtime -c "from kernelwright.harness import jobs" 2> "$out/importtime-$tag.txt"
sort -t'|' -k2 -n -r "$out/importtime-$tag.txt" | head -20
