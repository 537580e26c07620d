"""On a real GPU: a candidate's kernels compile under a CUDA-graph capture, off the GPU
gate (harness/precompile.py, issue 15), and nothing that capture left behind can
change a verdict."""

from __future__ import annotations

import asyncio

import pytest
from kernelwright.harness.evaluate import Harness
from kernelwright.harness.pool import Limits, WorkerPool

from tests.conftest import CHEATS, PROBLEMS

pytestmark = pytest.mark.gpu

RELU = (CHEATS / "ok_relu.py").read_text()

# The same kernel behind a module-level cache of a tensor made on the first call: made
# under the capture, its contents were never computed. The module is loaded afresh
# before the first real call, so the verdict is still `ok`.
CACHED = RELU.replace(
    "class ModelNew(nn.Module):",
    "_ZEROS = {}\n\n\nclass ModelNew(nn.Module):",
).replace(
    "        x = x.contiguous()\n",
    "        x = x.contiguous()\n"
    "        if x.shape not in _ZEROS:\n"
    "            _ZEROS[x.shape] = torch.zeros_like(x)\n"
    "        x = x + _ZEROS[x.shape]\n",
)

# A forward that synchronises cannot be captured: it compiles in the shared phase.
SYNCING = RELU.replace(
    "        return out\n", "        torch.cuda.synchronize()\n        return out\n"
)


def _evaluate(candidate: str):
    harness = Harness(pool=WorkerPool(parallel=1), limits=Limits(timeout_s=240))
    return asyncio.run(
        harness.evaluate(str(PROBLEMS / "relu_rand.py"), candidate, "cuda", use_cache=False)
    )


@pytest.mark.parametrize(
    ("candidate", "captured"), [(RELU, True), (CACHED, False), (SYNCING, False)]
)
def test_compiled_off_the_gate_and_the_verdict_is_unchanged(candidate, captured):
    result = _evaluate(candidate)
    assert result.outcome == "ok", result.message
    seconds = result.seconds or {}
    assert seconds.get("compiling", 0.0) > 0.0  # the shared grant was given back
    # a candidate that could not be compiled so ran its first call in the shared phase
    assert ("compile:shared" in seconds["phases"]) is not captured
