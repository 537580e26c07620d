"""A stored verdict is served only to the harness code that gave it.

The package's version stays the same through a change of the checks (a Triton kernel
that copies torch's answer went from `ok` to `rejected` within 0.1.0); a verdict the
older harness stored must then be evaluated again, not served.
"""

from __future__ import annotations

import asyncio

from kernelwright.harness import evaluate
from kernelwright.harness.evaluate import Harness
from kernelwright.harness.pool import WorkerPool
from kernelwright.harness.store import Store

from tests.conftest import CHEATS, PROBLEMS


def test_a_stored_verdict_is_not_served_to_changed_harness_code(tmp_path, monkeypatch):
    harness = Harness(store=Store(tmp_path / "store.sqlite"), pool=WorkerPool(parallel=1))
    problem, source = str(PROBLEMS / "small_softmax.py"), (CHEATS / "ok_softmax.py").read_text()

    async def evaluations():
        first = await harness.evaluate(problem, source, "cpu")
        again = await harness.evaluate(problem, source, "cpu")
        monkeypatch.setattr(evaluate, "HARNESS_CODE", "a harness with another check")
        changed = await harness.evaluate(problem, source, "cpu")
        return first, again, changed

    first, again, changed = asyncio.run(evaluations())
    assert first.outcome == again.outcome == changed.outcome == "ok"
    assert (first.cached, again.cached, changed.cached) == (False, True, False)
