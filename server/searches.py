"""Optimize, Profile and Cancel: starting jobs, progress, and keeping results.

Commands take one argument `{uri, range}` (Cancel: `{jobId}` or nothing) and
return at once; the work runs as a `jobs.Job` and reports through work-done
progress (cancellable) and `kernelwright/search*` notifications.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams

from . import lsp_convert as conv
from . import names, plain_text, recorder
from . import search_messages as msg
from .jobs import Job, JobManager, JobResult
from .problem import Problem
from .results import (
    Record,
    candidate_title,
    offered_candidates,
    rank_candidates,
    speedup_phrase,
)
from .session import Session, ShapeRequest

log = logging.getLogger(__name__)
PROGRESS_CREATE_TIMEOUT_S = 5.0


def parse_target_args(args: tuple[Any, ...]) -> tuple[str, lsp.Range]:
    if len(args) != 1 or not isinstance(args[0], dict) or not isinstance(args[0].get("uri"), str):
        raise JsonRpcInvalidParams(f"expected one argument {{uri, range}}, got {list(args)!r}")
    try:
        return args[0]["uri"], conv.range_from_json(args[0].get("range"))
    except ValueError as err:
        raise JsonRpcInvalidParams(str(err)) from None


def uri_path(uri: str) -> str:
    return unquote(urlparse(uri).path)


SETTINGS_WAIT_S = 6.0
NO_CANDIDATE = "proposer_error"  # agent/search.py: a proposer wrote nothing to evaluate
_PROBLEM_LINE = re.compile(r"line (?P<line>\d+) of the problem")  # harness/failures.py


def _why_none(result: msg.SearchResult, notes: list[str]) -> str | None:
    """Why a search kept no candidate: a proposer's own reason first, else how its
    candidates failed, else its first note (a sandbox warning is no reason)."""
    for node in result.nodes:
        if node.outcome == NO_CANDIDATE and node.message:
            return next((n for n in notes if n.endswith(node.message)), node.message)
    failed = [n for n in result.nodes if n.outcome not in (None, "ok", NO_CANDIDATE)]
    if failed:
        first = failed[0]
        what = f"{len(failed)} candidate{'s' if len(failed) != 1 else ''} failed"
        outcome = (first.outcome or "").replace("_", " ")
        return f"{what}; the first: {outcome}" + (f": {first.message}" if first.message else "")
    return notes[0] if notes else None


class Searches:
    def __init__(self, ls, session: Session, refresh: Callable[[str], None]):
        self.ls = ls
        self.session = session
        self.refresh = refresh
        self.jobs = JobManager(self._on_event, self._on_done)
        self._ok: dict[str, int] = {}
        self._reported: dict[str, tuple[str, float | None]] = {}  # job -> last progress sent

    async def _settings_ready(self) -> None:
        """The user's settings, not the defaults, configure the search (bounded wait:
        the configuration pull itself gives up after 5 s)."""
        ready = getattr(self.ls, "settings_ready", None)
        if ready is None:
            return
        try:
            await asyncio.wait_for(ready.wait(), SETTINGS_WAIT_S)
        except TimeoutError:
            pass

    def _doc(self, uri: str):
        doc = self.session.docs.get(uri)
        if doc is None:
            raise JsonRpcInvalidParams(f"document {uri} is not open in the server")
        return doc

    def _message(self, text: str, kind=lsp.MessageType.Info) -> None:
        self.ls.window_show_message(
            lsp.ShowMessageParams(type=kind, message=f"kernelwright: {text}")
        )

    def _details(self, job: Job | None, text: str) -> None:
        """The whole text behind a plain sentence, in the client's log."""
        who = f"kernelwright {job.id}" if job is not None else "kernelwright"
        self.ls.window_log_message(
            lsp.LogMessageParams(type=lsp.MessageType.Log, message=f"{who}: {text}")
        )

    def _plain(self, text: str, job: Job | None = None, logged: bool = False) -> str:
        """What the user reads of an internal text (an error, a note): one plain sentence
        (server/plain_text.py); the whole text goes to the log unless it is there already."""
        if not logged:
            self._details(job, text)
        text = plain_text.sentence(text, logged=True)
        return self._in_users_file(job, text) if job is not None else text

    def _in_users_file(self, job: Job, text: str) -> str:
        """`(in deep, line 10 of the problem)` as the line of the user's file that the
        problem copied (`line 7 of model.py`): the problem file is the server's own."""
        where = _PROBLEM_LINE.search(text)
        doc = self.session.docs.get(job.uri)
        if where is None or doc is None:
            return text
        try:
            code = Path(job.problem_path).read_text().splitlines()[int(where["line"]) - 1].strip()
        except (OSError, IndexError):
            return text
        found = [i for i, line in enumerate(doc.lines) if code and line.strip() == code]
        if len(found) != 1:
            return text  # not copied as is, or copied from several places: say nothing
        name = Path(uri_path(job.uri)).name
        return text.replace(where[0], f"line {found[0] + 1} of {name}")

    async def _problem(self, uri: str, rng: lsp.Range):
        doc = self._doc(uri)
        start, end = conv.range_to_bytes(doc, rng)
        prob = self.session.locate(doc, start, end)
        if prob is None:
            return doc, None
        cmd = self.session.settings.shape_command
        if prob.missing and cmd and prob.scope_name:
            line = (
                0
                if prob.target.kind in ("forward", "triton_kernel")
                else doc.position_of_byte(prob.target.start_byte).line + 1
            )
            try:
                await recorder.record(
                    cmd,
                    str(Path(uri_path(uri)).parent),
                    uri_path(uri),
                    prob.scope_name,
                    line,
                    self.session.recorded_path(prob.signature),
                )
                prob = self.session.problem_for(doc, prob.target)
            except recorder.RecordError as err:
                prob.errors.append(f"recording shapes failed: {err}")
        requests = self.session.shape_requests.setdefault(uri, {})
        if prob.missing or prob.errors:
            requests[prob.signature] = ShapeRequest(
                prob.signature,
                prob.target.start_byte,
                prob.target.end_byte,
                prob.missing,
                prob.errors,
            )
        else:
            requests.pop(prob.signature, None)
        return doc, prob

    async def start(self, mode: str, args: tuple[Any, ...]) -> dict[str, Any]:
        uri, rng = parse_target_args(args)
        await self._settings_ready()
        doc, prob = await self._problem(uri, rng)
        if prob is None:
            self._message(
                "nothing to optimise here: put the cursor on a PyTorch op, a Triton "
                "kernel or a forward, or select an expression",
                lsp.MessageType.Warning,
            )
            return {"status": "no-target"}
        running = self.jobs.running_for(prob.signature)
        if running is not None:
            return {"status": "running", "jobId": running.id, "token": running.token}
        if prob.missing or prob.errors:
            self.refresh(uri)
            why = (
                (
                    f"shapes of {', '.join(prob.missing)} are unknown; add a `# kernelwright:` "
                    "annotation (quick fix available)"
                )
                if prob.missing
                else self._plain("; ".join(prob.errors))
            )
            self._message(f"cannot {mode} `{prob.target.name}`: {why}", lsp.MessageType.Warning)
            return {
                "status": "needs-shapes" if prob.missing else "error",
                "missing": prob.missing,
                "message": why,
            }
        settings = self.session.settings
        path = prob.write(settings.problems_dir())
        rec = self.session.index.get(prob.signature) or Record(
            prob.signature, uri, prob.target.name
        )
        rec.uri, rec.name, rec.problem_path, rec.problem_digest = (
            uri,
            prob.target.name,
            str(path),
            prob.digest,
        )
        rec.span_text = doc.source[prob.target.start_byte : prob.target.end_byte].decode()
        self.session.index.put(rec)
        request: msg.Request
        if mode == "profile":
            request = msg.ProfileRequest(str(path), settings.device, settings.store_path)
        else:
            request = msg.SearchRequest(
                problem_path=str(path),
                budget=settings.budget,
                time_limit_s=settings.time_limit_s,
                strategy=settings.strategy,
                proposers=tuple(settings.proposers),
                device=settings.device,
                store_path=settings.store_path,
                # best.py and report.json, for a person to read: the server reads nothing
                # back from there (the report and the results store carry everything).
                out_dir=str(settings.store_dir() / "searches" / prob.digest),
                require_sandbox=settings.require_sandbox,
                model=settings.model or None,
                executor=settings.executor,
                ray_address=settings.ray_address,
            )
        job = self.jobs.start(
            uri,
            prob.signature,
            prob.target.name,
            request,
            budget=settings.budget if mode == "search" else 0,
        )
        title = f"{'Optimizing' if mode == 'search' else 'Profiling'} {prob.target.name}"
        await self._progress_begin(job, title)
        if mode == "search":
            self.ls.protocol.notify(
                names.NOTIFY_SEARCH_STARTED,
                {
                    "jobId": job.id,
                    "uri": uri,
                    "range": conv.range_json(
                        conv.byte_range(doc, prob.target.start_byte, prob.target.end_byte)
                    ),
                    "title": title,
                },
            )
        return {"status": "started", "jobId": job.id, "token": job.token, "problemPath": str(path)}

    async def _progress_begin(self, job: Job, title: str) -> None:
        caps = self.ls.client_capabilities.window
        job.progress = False
        if not (caps and caps.work_done_progress):
            return
        try:
            await asyncio.wait_for(
                self.ls.work_done_progress.create_async(job.token), PROGRESS_CREATE_TIMEOUT_S
            )
        except Exception as err:  # noqa: BLE001 - the client refused or never answered: no progress bar
            log.warning("progress for %s not created: %s", job.id, err)
            return
        job.progress = True
        self.ls.work_done_progress.begin(job.token, conv.progress_begin(title, "starting"))

    def _on_event(self, job: Job, ev: msg.SearchProgress) -> None:
        node = ev.node
        if ev.kind == "evaluated" and node is not None and node.outcome == "ok":
            self._ok[job.id] = self._ok.get(job.id, 0) + 1
        budget = ev.budget or job.budget or 1
        evaluated = ev.evaluated
        best = speedup_phrase({"vs_eager": ev.best_speedup})
        if best is None and self._ok.get(job.id):
            device = (node.device if node else None) or "cpu"
            best = "verified, no timing on CPU" if device == "cpu" else "verified"
        message = f"{evaluated}/{budget} evaluated · {ev.failed} failed" + (
            f" · best {best}" if best else ""
        )
        self.session.running[job.signature] = f"{job.mode} running: {message}"
        if self._reported.get(job.id) == (message, ev.best_speedup):
            return  # the search's other events (notices, starts) change nothing shown
        self._reported[job.id] = (message, ev.best_speedup)
        if job.progress:
            self.ls.work_done_progress.report(
                job.token,
                conv.progress_report(message, min(99, int(100 * evaluated / max(budget, 1)))),
            )
        self.ls.protocol.notify(
            names.NOTIFY_SEARCH_PROGRESS,
            {
                "jobId": job.id,
                "evaluated": evaluated,
                "failed": ev.failed,
                "budget": budget,
                "bestSpeedup": ev.best_speedup,
                "timeLeftS": ev.time_left_s,
                "message": message,
            },
        )

    async def _on_done(self, job: Job, result: JobResult | None, message: str) -> None:
        self.session.running.pop(job.signature, None)
        self._reported.pop(job.id, None)
        rec = self.session.index.get(job.signature) or Record(job.signature, job.uri, job.name)
        count = offered = 0
        if isinstance(result, msg.ProfileResult):
            rec.reference = result.profile
            rec.device = (rec.reference or {}).get("device", rec.device)
            summary = "profiled"
        elif isinstance(result, msg.SearchResult):
            device = result.device or self.session.settings.device
            cands = []
            if result.search_id is not None:
                cands = rank_candidates(
                    result.nodes,
                    result.best,
                    device,
                    job.id,
                    search_id=result.search_id,
                    problem_digest=Path(job.problem_path).stem,  # problem.write names it so
                )
            elif result.nodes:  # its candidates could not be found again in the store
                log.warning("job %s: its report names no search run; no candidate kept", job.id)
            if cands or job.status == "done":
                rec.candidates = cands
            rec.device = device
            rec.status = job.status
            if result.reference:
                rec.reference = result.reference
            count = offered = len(rec.candidates)
            best = rec.candidates[0] if rec.candidates else None
            summary = f"{count} candidate{'s' if count != 1 else ''}" + (
                f"; best: {candidate_title('#', best).split(' — ', 1)[1]}" if best else ""
            )
            notes = list(
                dict.fromkeys(n for n in result.notes if "no speedups were measured" not in n)
            )
            for note in notes:
                self._details(job, note)
            why = _why_none(result, notes) if count == 0 else None
            if why:  # say why nothing came back: the likeliest reason, plainly
                summary += f" ({self._plain(why, job, logged=why in notes)})"
            # What the code actions will offer now, which the finish message counts too:
            # "3 candidates" and then no action was issue 18's complaint.
            now = self._problem_now(job)
            if count and now is not None:
                offered = len(offered_candidates(rec, now)[1])
                if now.digest != Path(job.problem_path).stem:
                    summary = (
                        f"{count} candidate{'s' if count != 1 else ''} for the shapes it "
                        f"searched, none offered: the shapes of `{job.name}` changed while "
                        "it ran; run Optimize again for the new shapes"
                    )
                elif offered < count:
                    summary += f"; {offered} offered, the rest no faster than the current code"
            if job.status == "cancelled":
                # a proposer that wrote nothing is no evaluation (as the progress counts)
                done = sum(1 for n in result.nodes if n.outcome != NO_CANDIDATE)
                summary = f"cancelled after {done} evaluation{'s' if done != 1 else ''}; {summary}"
        else:
            summary = f"failed: {self._plain(message or 'no result', job)}"
        rec.message = summary
        self.session.index.put(rec)
        if job.progress:
            self.ls.work_done_progress.end(job.token, conv.progress_end(summary))
        if job.mode == "search":
            self.ls.protocol.notify(
                names.NOTIFY_SEARCH_FINISHED,
                {
                    "jobId": job.id,
                    "uri": job.uri,
                    "status": job.status,
                    "candidates": offered,  # what the code actions offer
                    "bestSpeedup": (rec.candidates[0].speedup or {}).get("vs_eager")
                    if rec.candidates
                    else None,
                    "message": summary,
                },
            )
        self._message(
            f"{job.name}: {summary}",
            lsp.MessageType.Warning if job.status == "failed" else lsp.MessageType.Info,
        )
        self.refresh(job.uri)

    def _problem_now(self, job: Job) -> Problem | None:
        """The job's target's problem as the document reads now (an annotation,
        `get_inputs` or a recorded run may have changed it while the job ran), or None
        when the document is closed or the code is gone."""
        doc = self.session.docs.get(job.uri)
        if doc is None:
            return None
        for target, _ in self.session.records_by_target(
            doc, lambda r: r.signature == job.signature
        ):
            return self.session.problem_for(doc, target)
        return None

    async def cancel(self, args: tuple[Any, ...]) -> dict[str, Any]:
        if len(args) > 1 or (args and not isinstance(args[0], (dict, str))):
            raise JsonRpcInvalidParams(f"expected [{{jobId}}] or [], got {list(args)!r}")
        job_id = (args[0].get("jobId") if isinstance(args[0], dict) else args[0]) if args else None
        targets = (
            self.jobs.running()
            if job_id is None
            else [j for j in self.jobs.running() if j.id == job_id]
        )
        if job_id is not None and not targets:
            return {"cancelled": [], "message": f"no running job {job_id}"}
        for job in targets:
            await self.jobs.cancel(job)
        return {"cancelled": [j.id for j in targets]}

    async def cancel_token(self, token: Any) -> None:
        job = self.jobs.by_token(token)
        if job is not None:
            await self.jobs.cancel(job)
