"""A search's pool keeps one spare worker started: the next candidate's process has
torch imported already, yet no two jobs ever share a process."""

from __future__ import annotations

import os

from kernelwright.harness.evaluate import Harness
from kernelwright.harness.pool import WorkerPool

from tests.conftest import CHEATS, PROBLEMS

SOFTMAX = PROBLEMS / "small_softmax.py"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0); its state says it is gone
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().rsplit(")", 1)[1].split()[0] != "Z"


async def test_each_candidate_gets_the_spare_and_a_new_spare_is_started(tmp_path):
    pool = WorkerPool(parallel=1, prestart=True)
    harness = Harness(pool=pool)
    ok = (CHEATS / "ok_softmax.py").read_text()
    wrong = (CHEATS / "wrong_scaled.py").read_text()
    try:
        first = await harness.evaluate(str(SOFTMAX), ok, "cpu", use_cache=False)
        assert first.outcome == "ok"
        (spare,) = pool._spares.values()
        second = await harness.evaluate(str(SOFTMAX), wrong, "cpu", use_cache=False)
        # the spare ran the second candidate and is gone with its verdict...
        assert second.outcome == "wrong"
        assert spare.proc.returncode is not None and not os.path.exists(spare.log_path)
        # ...and a fresh one waits for the next
        (fresh,) = pool._spares.values()
        assert fresh.proc.pid != spare.proc.pid and _alive(fresh.proc.pid)
    finally:
        await pool.close()
    assert not pool._spares and fresh.proc.returncode is not None
    assert not os.path.exists(fresh.log_path)


async def test_a_pool_without_prestart_leaves_no_process_behind():
    pool = WorkerPool(parallel=1)
    result = await Harness(pool=pool).evaluate(
        str(SOFTMAX), (CHEATS / "ok_softmax.py").read_text(), "cpu", use_cache=False)
    assert result.outcome == "ok" and not pool._spares
