#!/usr/bin/env bash
# One command for a new user: install kernelwright into ./.venv and optimize
# the bundled softmax example. On a machine without a GPU the search verifies
# candidates under the Triton interpreter (no speed is measured there).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
if ! python -c "import torch" 2>/dev/null; then
  if python -c "import sys; sys.exit(0 if sys.platform == 'linux' else 1)" && ! command -v nvidia-smi >/dev/null; then
    python -m pip install -q torch==2.13.0  # the CPU build: no multi-GB CUDA download
  fi
fi
python -m pip install -q -e '.[dev]'
kernelwright doctor  # which sandbox the candidates will run in (docs/security.md)
kernelwright optimize examples/softmax_problem.py --budget 4 --time-limit 300 --out kw-out/softmax "$@"
