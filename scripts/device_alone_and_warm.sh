#!/bin/bash
# One search alone on two large problems (issue 15's one-evaluation wall time), and what
# a spare worker spends warming the harness's own kernels with a cold and a warm Triton
# cache. One device call, about a minute a problem.
#   Usage: scripts/device_alone_and_warm.sh [PROBLEM ...]   (carry .deb)
# PROBLEM names a file of benchmarks/large without .py (default: softmax and RMSNorm);
# WARM=0 skips the warm-up measurement, CHEATS=0 the cheats. Last, on the GPU, the two cheats of the judge's
# isolation (tests/cheats/leaves_process.py, plants_module.py: both `ok`, the first
# flagged). Logs and each search's trajectories go under $OUT.
set -u
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/out}
mkdir -p "$out"
if ! command -v bwrap >/dev/null; then
  for deb in .deb/bubblewrap_*.deb; do dpkg -x "$deb" /; done
fi
. scripts/device_env.sh
nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader > "$out/gpu-apps-before.txt"
problems=("$@")
[ ${#problems[@]} -eq 0 ] && problems=(02_softmax_large 03_rms_norm_large)
[ "${WARM:-1}" = 1 ] && for round in 1 2; do
  export TRITON_CACHE_DIR
  TRITON_CACHE_DIR=$(mktemp -d)
  for pass in cold warm; do
    echo -n "round $round, $pass: "
    timeout 120 python3 scripts/warm_kernels_cost.py
  done
done | tee "$out/warm-kernels.txt"
unset TRITON_CACHE_DIR
{
  echo "| problem | evaluations | median wall s | max wall s | median wall less starting s | median judge s | capture + profile s |"
  echo "|---|---|---|---|---|---|---|"
} > /tmp/alone-summary.md
for p in "${problems[@]}"; do
  timeout 120 python3 -m kernelwright.server.cli optimize "benchmarks/large/$p.py" --device cuda \
      --budget 6 --time-limit 60 --parallel 1 --compile-mode default \
      --out "/tmp/alone-$p" --store "/tmp/alone-$p.sqlite" > "$out/alone-$p.log" 2>&1
  echo "$p exit $?"
  mkdir -p "$out/alone-$p"
  cp "/tmp/alone-$p/trajectories.jsonl" "/tmp/alone-$p/report.json" "$out/alone-$p/" 2>/dev/null
  python3 - "$p" <<'PY'
import json, statistics, sys
p = sys.argv[1]
rows = [json.loads(line) for line in open(f"/tmp/alone-{p}/trajectories.jsonl")]
results = [r["result"] for r in rows if r.get("result")]
seconds = [r["seconds"] for r in results if r.get("seconds")]
print(p, "outcomes", [r["outcome"] for r in results])
print("  wall", [s["total"] for s in seconds], "median", statistics.median(s["total"] for s in seconds))
print("  starting", [s["starting"] for s in seconds], "judge", [s["judge"] for s in seconds])
print("  verify", [s["phases"].get("verify") for s in seconds])
prepare = json.load(open(f"/tmp/alone-{p}/report.json"))["reference"].get("prepare_seconds")
print("  prepare", prepare)
walls = [s["total"] for s in seconds]
ready = [s["total"] - s["starting"] for s in seconds]
judges = [s["judge"] for s in seconds if s.get("judge") is not None]
with open("/tmp/alone-summary.md", "a") as table:
    table.write(f"| {p} | {len(walls)} | {statistics.median(walls):.2f} | {max(walls):.2f} | "
                f"{statistics.median(ready):.2f} | {statistics.median(judges) if judges else None} | "
                f"{round(sum(prepare.values()), 2) if prepare else None} |\n")
PY
done
cat /tmp/alone-summary.md | tee "$out/alone-summary.md"
# The harness kernels compiled once by the first search, where KERNELWRIGHT_HARNESS_KERNEL_COPY=1
# (harness/kernel_cache.py; off by default)
ls -d "${XDG_CACHE_HOME:-$HOME/.cache}"/kernelwright/harness-kernels/* 2>&1 | tail -1
[ "${CHEATS:-1}" = 1 ] && for cheat in leaves_process plants_module; do
  timeout 120 python3 -m kernelwright.server.cli eval tests/problems/small_softmax.py \
      "tests/cheats/$cheat.py" --device cuda --no-cache --json > "$out/cheat-$cheat.json" 2>&1
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(sys.argv[2], r['outcome'], r.get('flags'))" \
      "$out/cheat-$cheat.json" "$cheat" 2>&1 | tail -1
done | tee "$out/cheats.txt"
