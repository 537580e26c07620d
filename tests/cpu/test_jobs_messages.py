"""The server's side of the search-process protocol (server/jobs.py): a child that
writes a line which is not a message fails its job, and the job says why."""

from __future__ import annotations

import asyncio
import sys

from kernelwright.server import jobs
from kernelwright.server import search_messages as msg

# The child a newer or broken search might be: one good event, then a report missing a field.
CHILD = """
import sys
sys.stdin.readline()
print('{"type": "event", "kind": "evaluated", "evaluated": 1, "failed": 0, "budget": 2}')
print('{"type": "report", "cancelled": false, "problem": "p", "evaluated": 1}')
"""


def test_a_malformed_report_fails_the_job_with_the_reason(monkeypatch):
    real_exec = asyncio.create_subprocess_exec

    async def fake_child(*_args, **kwargs):
        return await real_exec(sys.executable, "-c", CHILD, **kwargs)

    monkeypatch.setattr(jobs.asyncio, "create_subprocess_exec", fake_child)
    events: list[msg.SearchProgress] = []
    done: list[tuple[jobs.Job, object, str]] = []

    async def on_done(job, result, message):
        done.append((job, result, message))

    async def main():
        manager = jobs.JobManager(lambda job, ev: events.append(ev), on_done)
        request = msg.SearchRequest("/p/a.py", 2, 30.0, "mcts", None, "cpu", None, None)
        job = manager.start("file:///a.py", "sig", "relu", request, budget=2)
        assert job.task is not None
        await job.task

    asyncio.run(main())
    assert [e.evaluated for e in events] == [1]
    [(job, result, message)] = done
    assert job.status == "failed" and result is None
    assert "malformed" in message and "report message: device is missing" in message
