"""The runner is forked from its judge (harness/judge.py `start_runner`) and keeps
nothing of the judge's: not its channel to the parent, not its session.

The candidate reports what it can reach from inside the runner as its own error
message, so the test reads it in the verdict, in whatever sandbox this machine has.
"""

from __future__ import annotations

import asyncio

from kernelwright.harness.evaluate import Harness
from kernelwright.harness.pool import WorkerPool

from tests.conftest import CHEATS, PROBLEMS

REPORTS_ITS_PROCESS = """

import os as _os


def _reachable():
    pipes = {}
    for name in _os.listdir("/proc/self/fd"):
        link = f"/proc/self/fd/{name}"
        if _os.path.lexists(link):  # not the listing's own descriptor, closed by now
            target = _os.readlink(link)
            if target.startswith("pipe:"):
                pipes[int(name)] = target
    return pipes


class ModelNew(ModelNew):
    def forward(self, x):
        pipes = _reachable()
        raise RuntimeError(
            f"REPORT fds={sorted(pipes)} distinct={len(set(pipes.values()))} "
            f"own_session={_os.getsid(0) == _os.getpid()}"
        )
"""


def test_the_runner_holds_only_its_own_two_pipes_in_a_session_of_its_own(tmp_path):
    candidate = (CHEATS / "ok_softmax.py").read_text() + REPORTS_ITS_PROCESS
    problem = PROBLEMS / "small_softmax.py"

    async def run():
        harness = Harness(pool=WorkerPool(parallel=1))
        return await harness.evaluate(str(problem), candidate, device="cpu", use_cache=False)

    result = asyncio.run(run())
    assert result.outcome == "runtime_error", result.message
    # fd 0: the judge's requests; fd 3: the replies to the judge. The judge's own
    # channel to the parent (a third pipe) was closed before the candidate loaded.
    assert "REPORT fds=[0, 3] distinct=2 own_session=True" in result.message, result.message
