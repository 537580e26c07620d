#!/bin/bash
# One search alone per problem with the tree carried as .base/ and with this one, in turn
# on the same machine (issue 15's one-evaluation wall time, before and after a change).
#   Usage: scripts/device_ab_alone.sh PROBLEM ...   (carry .deb and .base)
# .base/ is another commit's tree: mkdir .base && git archive COMMIT | tar -x -C .base
# Runs the GPU tests named in TESTS first (default: none). Each search starts from a
# fresh store and kernelwright cache (scripts/device_alone_and_warm.sh, WARM=0 CHEATS=0);
# logs and trajectories go under $OUT/base and $OUT/head.
set -u
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/out}
if ! command -v bwrap >/dev/null; then  # before .base/'s runs: it has no .deb of its own
  for deb in .deb/bubblewrap_*.deb; do dpkg -x "$deb" /; done
fi
. scripts/device_env.sh
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 -c "import sys, torch, triton; print(sys.version.split()[0], torch.__version__, triton.__version__)"
if [ -n "${TESTS:-}" ]; then
  # shellcheck disable=SC2086
  timeout 300 python3 -m pytest -q -p no:cacheprovider $TESTS 2>&1 | tail -3
fi
for p in "$@"; do
  for tree in base head; do
    rm -rf /tmp/alone-* "${XDG_CACHE_HOME:-/tmp/kw-xdg/cache}"
    dir=.
    [ "$tree" = base ] && dir=.base
    echo "== $tree $p"
    (cd "$dir" && WARM=0 CHEATS=0 OUT="$out/$tree" bash scripts/device_alone_and_warm.sh "$p") 2>&1 |
      grep -E "wall|starting|verify|prepare|exit"
    tail -n 1 "$out/$tree/alone-summary.md" >> "$out/summary-$tree.md"
  done
done
for tree in base head; do
  echo "== $tree"
  cat "$out/summary-$tree.md"
done
