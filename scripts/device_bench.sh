#!/bin/bash
# One bench shard in one device call (10 minutes at most), its logs and results
# under $OUT. Usage: scripts/device_bench.sh NAME FILTER TIME_LIMIT CONCURRENCY PARALLEL STOP_S [DIR]
# STOP_S bounds the bench so the tarball is written before the call's own limit.
# DIR defaults to benchmarks/problems; BUDGET (8) and COMPILE_MODE
# (max-autotune-no-cudagraphs) come from the environment; BENCH_PREFIX, words run before
# the bench's python (a profiler: scripts/device_load_check.sh), too.
# Merge shards afterwards here: python scripts/merge_bench.py benchmarks/results/DEVICE-DATE-bench s1 s2
set -u
cd "$(dirname "$0")/.."
if ! command -v bwrap >/dev/null; then  # the sandbox: a carried .deb (apt-get download bubblewrap)
  for deb in .deb/bubblewrap_*.deb; do dpkg -x "$deb" /; done
fi
. scripts/device_env.sh
name=$1 filter=$2 limit=$3 concurrency=$4 parallel=$5 stop=$6 dir=${7:-benchmarks/problems}
out=${OUT:-/tmp/out}
mkdir -p "$out"
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  python3 -c "import sys, torch, triton; print(sys.version.split()[0], torch.__version__, torch.version.cuda, triton.__version__)"
  date -u +%FT%TZ; } > "$out/$name-env.txt" 2>&1
# shellcheck disable=SC2086  # BENCH_PREFIX is words
timeout "$stop" ${BENCH_PREFIX:-} python3 -m kernelwright.server.cli bench "$dir" --filter "$filter" \
    --device cuda --budget "${BUDGET:-8}" --time-limit "$limit" --concurrency "$concurrency" \
    --parallel "$parallel" --compile-mode "${COMPILE_MODE:-max-autotune-no-cudagraphs}" --out "/tmp/$name" \
    > "$out/$name.log" 2>&1
echo "bench exit $?" >> "$out/$name.log"
tar czf "$out/$name.tgz" --exclude='*.sqlite*' -C /tmp "$name"
cat "$out/$name-env.txt"; tail -5 "$out/$name.log"; tail -25 "/tmp/$name/bench.md" 2>/dev/null
