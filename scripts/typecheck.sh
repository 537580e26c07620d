#!/usr/bin/env bash
# The type checker (mypy, configured in pyproject.toml [tool.mypy]) over the four
# packages. The folders become the `kernelwright.*` namespace only through the
# editable install's import hook, which mypy does not run, so they are linked
# under a temporary root the way setuptools maps them (pyproject package-dir).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/kernelwright"
for d in server agent harness knowledge; do ln -s "$root/$d" "$tmp/kernelwright/$d"; done
cd "$tmp"
python3 -m mypy --config-file "$root/pyproject.toml" \
  -p kernelwright.server -p kernelwright.agent -p kernelwright.harness -p kernelwright.knowledge
