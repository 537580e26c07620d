# Source on a GPU machine that has torch/triton but cannot pip install:
# exposes this checkout as the `kernelwright` namespace without installing it.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p /tmp/kw/kernelwright
for d in server agent harness knowledge; do ln -sfn "$root/$d" "/tmp/kw/kernelwright/$d"; done
export PYTHONPATH="/tmp/kw:$root${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
export XDG_CACHE_HOME="${XDG_CACHE_HOME:-/tmp/kw-xdg/cache}" XDG_DATA_HOME="${XDG_DATA_HOME:-/tmp/kw-xdg/data}"
kernelwright() { python3 -m kernelwright.server.cli "$@"; }
