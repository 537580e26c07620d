#!/bin/bash
# The Ray executor against the local one, in one device call (10 minutes at most):
# `kernelwright bench` on a few problems with --executor local, then --executor ray
# (a local Ray instance: one actor on the one GPU), then a table of both verdicts and
# speedups. Ray must import already (the caller sets PYTHONPATH to its wheel's folder).
# Usage: scripts/device_ray_check.sh [FILTER] [DIR]
#   FILTER  problems to run, a regular expression on file names (default '^(01|13|17)_')
#   DIR     the problem folder (default benchmarks/problems)
# From the environment: BUDGET (4), TIME_LIMIT (45 s a problem), CONCURRENCY (3, both
# executors), STOP_S (270 s a bench, so both fit one call), COMPILE_MODE (the torch.compile
# baseline's, max-autotune-no-cudagraphs), DEVICE (cuda; cpu to try
# it on a CPU machine with small problems).
set -u
cd "$(dirname "$0")/.."
if ! command -v bwrap >/dev/null; then  # the sandbox: a carried .deb (apt-get download bubblewrap)
  for deb in .whl/bubblewrap_*.deb; do [ -e "$deb" ] && dpkg -x "$deb" /; done
fi
. scripts/device_env.sh
export RAY_USAGE_STATS_ENABLED=0  # no network on the device: Ray must not try to report
filter=${1:-'^(01|13|17)_'} dir=${2:-benchmarks/problems}
out=${OUT:-/tmp/out}
mkdir -p "$out"
if ! python3 -c "import ray" 2>"$out/ray-import.txt"; then
  echo "ray does not import (PYTHONPATH=$PYTHONPATH):"; tail -3 "$out/ray-import.txt"; exit 1
fi
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  python3 -c "import sys, torch, triton, ray; print(sys.version.split()[0], torch.__version__, torch.version.cuda, triton.__version__, 'ray', ray.__version__)"
  date -u +%FT%TZ; } > "$out/ray-check-env.txt" 2>&1
for executor in local ray; do
  started=$(date +%s)
  timeout "${STOP_S:-270}" python3 -m kernelwright.server.cli bench "$dir" --filter "$filter" \
      --executor "$executor" --device "${DEVICE:-cuda}" --budget "${BUDGET:-4}" \
      --time-limit "${TIME_LIMIT:-45}" --concurrency "${CONCURRENCY:-3}" \
      --compile-mode "${COMPILE_MODE:-max-autotune-no-cudagraphs}" --out "/tmp/ray-check-$executor" \
      --store "/tmp/ray-check-$executor.sqlite" > "$out/ray-check-$executor.log" 2>&1
  echo "bench --executor $executor: exit $? after $(( $(date +%s) - started )) s" | tee -a "$out/ray-check-$executor.log"
done
tar czf "$out/ray-check.tgz" -C /tmp ray-check-local ray-check-ray 2>/dev/null
cat "$out/ray-check-env.txt"
python3 - <<'EOF' | tee "$out/ray-check.md"
import json
from pathlib import Path


def rows(executor):
    """The last row per problem: bench.json when the bench finished, else rows.jsonl."""
    folder = Path(f"/tmp/ray-check-{executor}")
    latest = {}
    if (folder / "rows.jsonl").exists():
        for line in (folder / "rows.jsonl").read_text().splitlines():
            row = json.loads(line)
            latest[row["problem"]] = row
    return latest


def fmt(value):
    return "—" if value is None else f"{value:.2f}"


local, ray = rows("local"), rows("ray")
print("| problem | local verified | ray verified | local vs eager | ray vs eager "
      "| local vs compile | ray vs compile | same verdict |")
print("|---|---|---|---|---|---|---|---|")
same = 0
for name in sorted(set(local) | set(ray)):
    a, b = local.get(name, {}), ray.get(name, {})
    agree = name in local and name in ray and a.get("verified") == b.get("verified")
    same += agree
    print(f"| {name} | {a.get('verified', 'missing')} | {b.get('verified', 'missing')} "
          f"| {fmt(a.get('vs_eager'))} | {fmt(b.get('vs_eager'))} "
          f"| {fmt(a.get('vs_compile'))} | {fmt(b.get('vs_compile'))} | {'yes' if agree else 'NO'} |")
errors = [f"{x}: {r['problem']}: {r['error']}" for x, rs in (("local", local), ("ray", ray))
          for r in rs.values() if r.get("error")]
print(f"\nsame verdict on {same} of {len(set(local) | set(ray))} problems")
for error in errors:
    print(error)
EOF
tail -3 "$out/ray-check-ray.log"
