#!/usr/bin/env bash
# Builds, lints, tests and packages the VS Code extension. Called by the project's .ci/run.
# The contract tests import kernelwright.server.names with $KERNELWRIGHT_PYTHON (default python3).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
npm run build
npm run lint
npm test
npm run package
ls -l kernelwright-*.vsix
