#!/bin/bash
# The sandbox on a GPU machine, in one device call per part (logs under $OUT).
#   tests:  `kernelwright doctor`, then pytest tests/gpu (every cheat, and the hostile
#           candidates of tests/hostile evaluated on CUDA inside the sandbox)
#   timing: scripts/gpu_probe.py over six problems, without the sandbox and with it,
#           twice each in A B A B order, so the comparison sees the run-to-run noise
# bubblewrap is unpacked from a carried .deb when the machine lacks it:
#   apt-get download bubblewrap (into .whl/, which `run` carries).
set -u
cd "$(dirname "$0")/.."
part=${1:-tests}
out=${OUT:-/tmp/out}
mkdir -p "$out"
if ! command -v bwrap >/dev/null; then
  for deb in .whl/bubblewrap_*.deb; do dpkg -x "$deb" /; done
fi
. scripts/device_env.sh
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  python3 -c "import sys, torch, triton; print(sys.version.split()[0], torch.__version__, torch.version.cuda, triton.__version__)"
  bwrap --version; date -u +%FT%TZ; } > "$out/env.txt" 2>&1
kernelwright doctor --json > "$out/doctor.json"
if [ "$part" = tests ]; then
  python3 -m pytest -q -p no:cacheprovider tests/gpu 2>&1 | tee "$out/pytest-gpu.log" | tail -15
else
  problems="01 04 13 16 24 28"
  for run in none1 bubblewrap1 none2 bubblewrap2; do
    KERNELWRIGHT_SANDBOX=${run%?} timeout 140 python3 scripts/gpu_probe.py "/tmp/probe-$run" \
      $problems --count 1 --parallel 6 > "$out/probe-$run.log" 2>&1
    cp "/tmp/probe-$run/probe.json" "$out/probe-$run.json" 2>/dev/null
  done
  python3 scripts/compare_probes.py "$out"/probe-none1.json "$out"/probe-bubblewrap1.json \
    "$out"/probe-none2.json "$out"/probe-bubblewrap2.json | tee "$out/compare.md"
fi
cat "$out/env.txt"; python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['sandbox'])" "$out/doctor.json"
