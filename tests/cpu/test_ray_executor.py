"""The Ray executor on CPU: a local Ray instance with two fake GPUs, one actor on each.

Jobs run under the Triton interpreter as in every CPU test; what is tested is what a
user of `--executor ray` would notice: the same verdicts as the local executor, the
work spread over the GPUs, and a lost actor costing nothing (its candidates run again
on the other GPU, each recorded once).
"""

from __future__ import annotations

import asyncio
import json
import logging
import pickle

import pytest
from kernelwright.agent.api import SearchConfig
from kernelwright.agent.search import run_search
from kernelwright.harness.evaluate import Harness
from kernelwright.harness.executors import make_executor
from kernelwright.harness.messages import JobRequest
from kernelwright.harness.pool import JobOutcome, Limits, WorkerPool
from kernelwright.harness.store import Store

from tests.conftest import CHEATS, PROBLEMS
from tests.helpers_problems import PROBLEMS as BENCH_PROBLEMS
from tests.helpers_problems import shrunk_problem

ray = pytest.importorskip("ray")

pytestmark = pytest.mark.slow

# candidate → (problem, the verdict tests/cpu/test_harness_cheats.py holds the local pool to)
CANDIDATES = {
    "ok_relu": (PROBLEMS / "relu_rand.py", "ok"),
    "relu_as_copy": (PROBLEMS / "relu_rand.py", "wrong"),
    "wrong_scaled": (PROBLEMS / "small_softmax.py", "wrong"),
}


@pytest.fixture(scope="module")
def two_gpus():
    """One Ray instance for the module (it takes seconds to start on two cores)."""
    for attempt in range(2):  # Ray's fixed 30 s for its raylet can run out on a loaded machine
        try:
            ray.init(
                num_cpus=2,
                num_gpus=2,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.ERROR,
            )
            break
        except Exception:
            ray.shutdown()
            if attempt:
                raise
    yield
    ray.shutdown()


def test_the_messages_an_actor_gets_and_returns_pickle():
    request = JobRequest(kind="eval", problem_source="x", problem_path="p", device="cpu")
    outcome = JobOutcome("result", {"outcome": "ok"}, "tail", 0, {"total": 1.0})
    for value in (request, Limits(timeout_s=5.0), outcome):
        assert pickle.loads(pickle.dumps(value)) == value


async def _verdicts(executor) -> dict[str, str]:
    harness = Harness(pool=executor, limits=Limits(timeout_s=240))
    results = await asyncio.gather(
        *(
            harness.evaluate(str(problem), (CHEATS / f"{name}.py").read_text(), device="cpu")
            for name, (problem, _) in CANDIDATES.items()
        )
    )
    return {name: result.outcome for name, result in zip(CANDIDATES, results)}


async def test_verdicts_match_the_local_executor_and_both_gpus_work(two_gpus):
    executor = make_executor("ray", device="cpu")
    try:
        assert [a.name.split(" of ")[0] for a in executor.actors] == ["GPU 0", "GPU 1"]
        on_ray = await _verdicts(executor)
        ran = [actor.ran for actor in executor.actors]
    finally:
        await executor.close()
    local = await _verdicts(WorkerPool(parallel=2))
    assert on_ray == local == {name: verdict for name, (_, verdict) in CANDIDATES.items()}
    assert all(ran), f"jobs per GPU: {ran}"  # three at once, one slot per GPU: both took some


async def test_a_killed_actor_loses_no_candidate_and_counts_none_twice(two_gpus, tmp_path):
    problem = shrunk_problem(BENCH_PROBLEMS / "13_softmax_rows.py", tmp_path)
    store_path = tmp_path / "store.sqlite"
    executor = make_executor("ray", device="cpu")
    killed: list[str] = []

    async def kill_one_mid_evaluation() -> None:
        while True:  # the first actor seen evaluating a candidate dies with it
            for actor in executor.actors:
                if any(job.kind == "eval" for job in actor.jobs):
                    ray.kill(actor.handle, no_restart=True)
                    killed.append(actor.name)
                    return
            await asyncio.sleep(0.2)

    config = SearchConfig(
        budget=3,
        parallel=2,
        time_limit_s=600,
        device="cpu",
        proposers=("embedded",),
        store_path=str(store_path),
        out_dir=str(tmp_path / "out"),
        use_skills=False,
    )
    killer = asyncio.ensure_future(kill_one_mid_evaluation())
    try:
        report = await run_search(str(problem), config, executor=executor)
    finally:
        killer.cancel()
        await executor.close()
    assert killed and executor.resubmitted >= 1, "no candidate was in flight on the killed actor"
    assert sum(a.alive for a in executor.actors) == 0  # closed; one of them had died
    # Every candidate has one verdict, recorded once: in the report, the store, the trajectory.
    assert report.evaluated == 3
    assert [n["outcome"] for n in report.nodes] == ["ok"] * 3, report.notes
    stored = Store(str(store_path)).nodes(report.search_id or "")
    assert sorted(n["id"] for n in stored) == sorted(n["id"] for n in report.nodes)
    assert all(n["result"]["outcome"] == "ok" for n in stored)
    lines = (tmp_path / "out" / "trajectories.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(n["id"] for n in stored)
