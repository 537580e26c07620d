"""A search's pool keeps one spare worker started: the next candidate's process has
torch imported already, yet no two jobs ever share a process."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from kernelwright.harness.evaluate import Harness
from kernelwright.harness.messages import WORKER_READY, WorkerMessage
from kernelwright.harness.pool import Limits, WorkerPool, _until_ready

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


def _niceness(pid: int) -> int:
    """The process's nice value (field 19 of /proc/PID/stat); a sandbox's init has it too."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def _spares(pool: WorkerPool) -> list:
    return [worker for workers in pool._spares.values() for worker in workers]


async def test_each_candidate_gets_the_spare_and_a_new_spare_is_started(tmp_path):
    pool = WorkerPool(parallel=1, prestart=True)
    harness = Harness(pool=pool)
    ok = (CHEATS / "ok_softmax.py").read_text()
    wrong = (CHEATS / "wrong_scaled.py").read_text()
    try:
        first = await harness.evaluate(str(SOFTMAX), ok, "cpu", use_cache=False)
        assert first.outcome == "ok"
        # one spare per slot and one more: the next evaluation need not wait for a
        # worker started when this one began
        waiting = _spares(pool)
        assert len(waiting) == 2
        second = await harness.evaluate(str(SOFTMAX), wrong, "cpu", use_cache=False)
        # a spare ran the second candidate and is gone with its verdict...
        assert second.outcome == "wrong"
        (used,) = [w for w in waiting if w.proc.returncode is not None]
        # the older of the two: the one likeliest to have finished starting (the newer one
        # was started as the first evaluation began, and took 2-6.5 s more on the H200)
        assert used is waiting[0]
        assert not os.path.exists(used.log_path)
        # ...and a fresh one joins the one still waiting
        now = _spares(pool)
        assert len(now) == 2 and used not in now and all(_alive(w.proc.pid) for w in now)
    finally:
        await pool.close()
    assert not pool._spares and all(w.proc.returncode is not None for w in now)
    assert not any(os.path.exists(w.log_path) for w in now)


async def test_a_pool_without_prestart_leaves_no_process_behind():
    pool = WorkerPool(parallel=1)
    result = await Harness(pool=pool).evaluate(
        str(SOFTMAX), (CHEATS / "ok_softmax.py").read_text(), "cpu", use_cache=False
    )
    assert result.outcome == "ok" and not pool._spares


async def test_concurrent_candidates_leave_no_worker_behind():
    """Three candidates at once on one device: each takes a spare or starts a
    worker, at most one spare per parallel slot and one more wait, and `close()` ends every
    process the pool started (concurrent jobs once overwrote each other's spare,
    and the lost ones idled until the interpreter exited)."""
    pool = WorkerPool(parallel=3, prestart=True)
    started = []
    start = pool._start

    async def recording_start(device, gpu, kind):
        worker = await start(device, gpu, kind)
        started.append(worker)
        return worker

    pool._start = recording_start
    harness = Harness(pool=pool)
    ok = (CHEATS / "ok_softmax.py").read_text()
    try:
        for _ in range(2):
            results = await asyncio.gather(
                *(harness.evaluate(str(SOFTMAX), ok, "cpu", use_cache=False) for _ in range(3))
            )
            assert [r.outcome for r in results] == ["ok"] * 3
            assert 1 <= len(_spares(pool)) <= 4
    finally:
        await pool.close()
    assert len(started) >= 6 and all(w.proc.returncode is not None for w in started)
    assert not any(_alive(w.proc.pid) for w in started)


async def test_warm_starts_the_spares_before_the_first_job_and_the_capture_uses_one():
    """A search warms its pool before capturing: the capture and the profile each find
    a worker of their own with torch imported, and the evaluation spares (one per
    parallel slot and one more) start after them at a lower CPU priority, so eight searches warming
    at once do not slow the captures and profiles they wait on; every spare is ended
    at close."""
    pool = WorkerPool(parallel=2, prestart=True)
    try:
        await pool.warm("cpu")
        capture, profile = (
            [w for (*_, kind), ws in pool._reference_spares.items() if kind == wanted for w in ws]
            for wanted in ("capture", "profile")
        )
        reference = capture + profile
        evaluation = _spares(pool)
        warmed = reference + evaluation
        assert len(capture) == len(profile) == 1 and len(evaluation) == 3
        assert all(_alive(w.proc.pid) for w in warmed)
        own = _niceness(os.getpid())
        assert [_niceness(w.proc.pid) - own for w in (*capture, *profile)] == [0, 0]
        assert {_niceness(w.proc.pid) - own for w in evaluation} == {10}
        harness = Harness(pool=pool)
        graph = await harness.capture(str(SOFTMAX))
        assert "unsupported" not in graph
        # the capture ran in its own worker; the profile's and the evaluations' wait
        assert capture[0].proc.returncode is not None and profile[0].proc.returncode is None
        assert all(w.proc.returncode is None for w in evaluation)
        assert len(_spares(pool)) == 3
    finally:
        await pool.close()
    assert not any(_alive(w.proc.pid) for w in warmed)


async def test_reference_jobs_take_no_evaluation_slot():
    """With `--parallel 1` a search's capture held its one slot, so the device's peaks
    (started beside it) waited for the capture to end, and every profile of a bench
    waited with them (12 s on an H200). Slots bound evaluations only."""
    pool = WorkerPool(parallel=1)
    harness = Harness(pool=pool)
    try:
        async with pool._slots:  # an evaluation holds the one slot
            graph = await asyncio.wait_for(harness.capture(str(SOFTMAX), use_cache=False), 120)
        assert "unsupported" not in graph
    finally:
        await pool.close()


async def test_a_search_warms_no_worker_for_a_capture_or_profile_the_store_holds(tmp_path):
    """Optimize clicked again: the graph and the profile come from the store, so the
    pool starts no worker for them (each is a torch import, 8.6 s on the H200 machine)."""
    from kernelwright.harness.store import Store

    store = Store(tmp_path / "results.sqlite")
    harness = Harness(store=store, pool=WorkerPool(parallel=1))
    both = ("capture", "profile")
    assert harness.reference_jobs_to_run(str(SOFTMAX), "cpu") == both
    try:
        await harness.capture(str(SOFTMAX))
        assert harness.reference_jobs_to_run(str(SOFTMAX), "cpu") == ("profile",)
        await harness.profile(str(SOFTMAX), "cpu", compile_baseline=False)
        assert harness.reference_jobs_to_run(str(SOFTMAX), "cpu") == ()
    finally:
        await harness.pool.close()
    pool = WorkerPool(parallel=1, prestart=True)
    try:
        await pool.warm("cpu", harness.reference_jobs_to_run(str(SOFTMAX), "cpu"))
        assert not any(pool._reference_spares.values()) and len(_spares(pool)) == 2
    finally:
        await pool.close()


async def _scripted(code: str):
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.PIPE
    )


async def test_a_worker_that_dies_before_it_is_ready_is_a_crash_and_books_nothing():
    """The pool books a job's GPU memory only once its worker says it is ready; one that
    dies importing is a crash that says so, and asked for no memory at all."""
    proc = await _scripted("import sys; sys.exit(3)")
    status, payload = await _until_ready(proc, Limits())
    assert status == "crash"
    assert "status 3" in payload["reason"] and "while the worker started" in payload["reason"]
    ready = WorkerMessage(WORKER_READY).to_line()
    proc = await _scripted(f"print({ready.strip()!r}, flush=True); import time; time.sleep(30)")
    try:
        assert await _until_ready(proc, Limits()) == (None, {})
    finally:
        proc.kill()
        await proc.wait()


async def test_pages_a_forked_process_shares_with_its_parent_count_once_against_the_limit():
    """The judge forks its runner after importing torch: their resident sets count the
    shared pages twice, and an honest evaluation could pass the memory limit on that alone
    (harness/pool.py `_watch_memory` confirms with proportional set sizes)."""
    import subprocess

    from kernelwright.harness import pool, processes

    script = (
        "import os, time\n"
        "block = bytearray(200 << 20)\n"  # touched: resident in the parent
        "for i in range(0, len(block), 4096):\n"
        "    block[i] = 1\n"
        "if os.fork() == 0:\n"
        "    time.sleep(30)\n"
        "    os._exit(0)\n"
        "print('forked', flush=True)\n"
        "time.sleep(30)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "forked\n"
        await asyncio.sleep(0.3)
        rss, pss = processes.tree_rss(proc.pid), processes.tree_pss(proc.pid)
        assert rss > 400 << 20 and pss < 300 << 20  # two resident sets, one block
        limit = 320 << 20
        with pytest.raises(TimeoutError):  # under the limit, once counted once
            await asyncio.wait_for(pool._watch_memory(proc.pid, limit), 1.0)
        await asyncio.wait_for(pool._watch_memory(proc.pid, 150 << 20), 2.0)  # truly over
    finally:
        pool.kill_tree(proc.pid)
        proc.wait()


async def test_evaluations_that_wait_for_their_spare_get_more_spares_up_to_a_bound():
    """Evaluations faster than a worker's start: on an H100, 2.3 s evaluations of a 4 GB
    sum waited 5.0-6.7 s each for one of the two spares. A pool whose evaluations wait
    for their spare keeps more spares started (never more than EXTRA_SPARES_MAX beyond
    the slots), and the waits end; the first evaluations, which take what started all
    at once, add none."""
    from kernelwright.harness import pool as pools
    from kernelwright.harness.messages import JobKind, JobRequest

    start_s, evaluation_s = 3.0, 0.6  # each worker's "imports", and its evaluation
    ready = WorkerMessage(WORKER_READY).to_line().strip()
    verdict = WorkerMessage("result", {"outcome": "ok"}).to_line().strip()
    script = (
        f"import sys, time; time.sleep({start_s}); print({ready!r}, flush=True); "
        f"sys.stdin.readline(); time.sleep({evaluation_s}); print({verdict!r}, flush=True)"
    )
    pool = WorkerPool(parallel=1, prestart=True)

    async def scripted_start(device, gpu, kind, flags=None):
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            script,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        return pools._Worker(proc, "/nonexistent/worker.log", Path("/nonexistent/private"))

    pool._start = scripted_start
    request = JobRequest(JobKind.EVAL.value, "", "problem.py", "cpu")
    key = (id(asyncio.get_running_loop()), "cpu", 0)
    waits = []
    try:
        for _ in range(13):
            outcome = await pool.run(request, Limits(timeout_s=30))
            assert outcome.status == "result"
            # "starting" runs on to the worker's first word after the request: its verdict
            waits.append(outcome.seconds["starting"] - evaluation_s)
        assert pool._spare_count(key) == 1 + pools.EXTRA_SPARES_MAX
        # the first waited for a worker of its own, later ones for spares started a
        # few evaluations before, and the last ones found theirs ready
        assert waits[0] > start_s - 0.2 and max(waits[3:8]) > pools.LATE_SPARE_S
        assert max(waits[-3:]) < pools.LATE_SPARE_S, waits
    finally:
        await pool.close()


async def test_extra_spares_are_bounded_per_device_over_every_search():
    """A bench's searches each have a pool; extra spares count against the device, not
    the pool, so eight searches whose evaluations wait start at most EXTRA_SPARES_MAX
    more processes between them, and a search that ends gives its share back."""
    from kernelwright.harness import pool as pools

    started = []

    async def counted_top_up(key, device, gpu):
        started.append(key)

    searches = [WorkerPool(parallel=1, prestart=True) for _ in range(8)]
    for search in searches:
        search._top_up = counted_top_up
    key = (id(asyncio.get_running_loop()), "cuda", 0)
    device = (key[0], "cuda", searches[0]._gpu_id(0))
    for _ in range(3):  # each search's evaluations keep waiting 5 s for their spare
        for search in searches:
            await search._late_spare(key, "cuda", 0, waited=5.0)
    assert len(started) == pools.EXTRA_SPARES_MAX  # the first three searches' second waits
    await searches[0].close()
    await searches[1].close()  # two searches end: their two extra spares end with them
    for search in searches[2:]:
        await search._late_spare(key, "cuda", 0, waited=0.2)  # ready in time: none added
    assert len(started) == pools.EXTRA_SPARES_MAX
    for search in searches[2:]:
        await search._late_spare(key, "cuda", 0, waited=5.0)
    assert len(started) == pools.EXTRA_SPARES_MAX + 2
    assert pools._EXTRA_SPARES[device] == pools.EXTRA_SPARES_MAX
    for search in searches[2:]:
        await search.close()
    assert pools._EXTRA_SPARES[device] == 0
