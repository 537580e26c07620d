"""Search and profile jobs: asyncio tasks driving `search_child` subprocesses.

Nothing here blocks the event loop: the child does the work, we read its
messages (`search_messages`). Cancelling writes `cancel` to the child, waits a
grace period for its partial report, then kills its process group.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from . import search_messages as msg

log = logging.getLogger(__name__)

CANCEL_GRACE_S = 15.0
_ids = itertools.count(1)


@dataclass
class Job:
    id: str
    mode: str  # "search" | "profile"
    uri: str
    signature: str
    name: str
    problem_path: str
    token: str  # the work-done progress token
    budget: int = 0
    status: str = "running"  # running | done | cancelled | failed
    last_event: msg.SearchProgress | None = None
    task: asyncio.Task | None = None
    proc: asyncio.subprocess.Process | None = None
    cancel_requested: bool = False
    progress: bool = False  # a work-done progress was created for it


JobResult = msg.SearchResult | msg.ProfileResult
OnEvent = Callable[[Job, msg.SearchProgress], None]
# (job, its report or profile or None, why it failed)
OnDone = Callable[[Job, JobResult | None, str], Awaitable[None]]


class JobManager:
    def __init__(self, on_event: OnEvent, on_done: OnDone, env: dict[str, str] | None = None):
        self._on_event = on_event
        self._on_done = on_done
        self._env = env
        self.jobs: dict[str, Job] = {}

    def running(self) -> list[Job]:
        return [j for j in self.jobs.values() if j.status == "running"]

    def by_token(self, token: Any) -> Job | None:
        return next((j for j in self.jobs.values() if j.token == str(token)), None)

    def running_for(self, signature: str) -> Job | None:
        return next((j for j in self.running() if j.signature == signature), None)

    def start(
        self,
        uri: str,
        signature: str,
        name: str,
        request: msg.Request,
        budget: int = 0,
    ) -> Job:
        job_id = f"kw-{os.getpid()}-{next(_ids)}"
        job = Job(
            job_id,
            request.MODE,
            uri,
            signature,
            name,
            request.problem_path,
            token=f"kernelwright/{job_id}",
            budget=budget,
        )
        self.jobs[job_id] = job
        job.task = asyncio.create_task(self._run(job, request))
        return job

    async def _run(self, job: Job, request: msg.Request) -> None:
        result: JobResult | None = None
        message = ""
        try:
            env = {**os.environ, **(self._env or {})}
            job.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "kernelwright.server.search_child",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
                start_new_session=True,
                limit=64 * 1024 * 1024,
            )
            # All three are pipes (PIPE above).
            to_child, from_child, child_err = job.proc.stdin, job.proc.stdout, job.proc.stderr
            assert to_child is not None and from_child is not None and child_err is not None
            to_child.write((request.to_json() + "\n").encode())
            await to_child.drain()
            stderr_task = asyncio.create_task(child_err.read())
            while True:
                line = await from_child.readline()
                if not line:
                    break
                try:
                    message_in = msg.read_child_message(line)
                except msg.MessageError as err:
                    # A child of another version, or a print that reached stdout: the job
                    # says so rather than showing a result it could only guess at.
                    log.warning("job %s: %s", job.id, err)
                    message = message or f"the search process sent a malformed line ({err})"
                    continue
                if isinstance(message_in, msg.SearchProgress):
                    job.last_event = message_in
                    self._safe(self._on_event, job, message_in)
                elif isinstance(message_in, msg.SearchFailed):
                    message = message_in.message
                else:
                    result = message_in
            rc = await job.proc.wait()
            stderr = (await stderr_task).decode(errors="replace")
            if rc != 0 and stderr:
                log.warning("job %s exited %s: %s", job.id, rc, stderr[-4000:])
                tail = stderr.strip()[-4000:]
                # a traceback whole (the editor shows its error and where, the log all of
                # it: server/plain_text.py), anything else by its last line
                message = message or (tail if "Traceback" in tail else tail.splitlines()[-1])
            elif rc != 0 and result is None:
                message = message or f"the search process ended with exit code {rc}"
        except Exception as err:
            log.exception("job %s failed", job.id)
            message = f"{type(err).__name__}: {err}"
        if job.cancel_requested:
            job.status = "cancelled"
        elif result is not None:
            job.status = "done"
        else:
            job.status = "failed"
        await self._finish(job, result, message)

    async def _finish(self, job, result, message) -> None:
        try:
            await self._on_done(job, result, message)
        except Exception:
            log.exception("finishing job %s failed", job.id)

    def _safe(self, fn, *args) -> None:
        try:
            fn(*args)
        except Exception:
            log.exception("job event handler failed")

    async def cancel(self, job: Job) -> None:
        if job.status != "running" or job.cancel_requested:
            return
        job.cancel_requested = True
        proc = job.proc
        if proc is None or proc.returncode is not None:
            return
        assert proc.stdin is not None  # run opens the child with a stdin pipe
        try:
            proc.stdin.write(f"{msg.CANCEL_LINE}\n".encode())
            await proc.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass
        asyncio.create_task(self._kill_later(proc))

    async def _kill_later(self, proc: asyncio.subprocess.Process) -> None:
        try:
            await asyncio.wait_for(proc.wait(), CANCEL_GRACE_S)
        except TimeoutError:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    async def shutdown(self) -> None:
        for job in self.running():
            job.cancel_requested = True
            if job.proc is not None and job.proc.returncode is None:
                try:
                    os.killpg(job.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
