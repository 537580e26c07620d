"""The search job: grow a tree of candidates, evaluate each in the harness, keep the best.

Runs entirely on asyncio: proposals and evaluations overlap (several
candidates in flight, compiling on CPU cores while another one holds the GPU
for timing), so it is safe to run inside the language server's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kernelwright.agent import outputs, proposer_registry, torch_twin
from kernelwright.agent.api import SearchConfig, SearchEvent, SearchReport
from kernelwright.agent.context import ContextBuilder
from kernelwright.agent.proposers.base import Proposal, ProposerError
from kernelwright.agent.search_record import SearchRecord
from kernelwright.agent.strategies import Expansion, make_strategy
from kernelwright.agent.tree import Node, Tree, no_candidate
from kernelwright.agent.warm_start import SkillJudge
from kernelwright.harness.evaluate import BadInputError, Harness, read_source, resolve_device
from kernelwright.harness.executors import Executor, ExecutorLost, make_executor
from kernelwright.harness.pool import Limits
from kernelwright.harness.store import Store, content_hash

log = logging.getLogger(__name__)

STAGNATION_WINDOW = 6  # evaluations without a new best before a clean slate is likely
DUPLICATE_RETRIES = 3
FINAL_EVAL_RESERVE_S = 45.0  # time kept back for the best node's torch.compile comparison
FINAL_EVAL_RESERVE_SHARE = 0.25  # ...but never more than this share of a short limit
# A search whose limit passes before any candidate has a verdict (the reference's
# capture and profiling queue for a GPU shared by a bench's other searches; on an
# H200 five of 23 searches ended their 90 s with nothing) runs one candidate to
# its verdict, for at most this much longer, rather than report nothing.
FIRST_RESULT_GRACE_S = 60.0
# A problem that hangs at import is reported within the search's own limit, but
# the import of an honest problem's multi-GB inputs is never cut shorter than this.
MIN_IMPORT_TIMEOUT_S = 10.0


def device_info(kind: str, reference: dict) -> dict:
    """What the generator knows of the device, from the reference's profile: its
    facts size tiles and grids (generator/heuristics.py: device_facts; None where
    the peaks do not say), and `tf32_products` says the reference computes in TF32
    (a cuDNN convolution under PyTorch's defaults), so the generator may too
    (harness/pipeline.py: tf32_reference)."""
    peaks = (reference.get("profile") or {}).get("peaks") or {}
    return {
        "kind": kind,
        "name": peaks.get("name", kind),
        "peaks": peaks or None,
        "sm_count": peaks.get("sm_count"),
        "shared_memory_per_block": peaks.get("shared_memory_per_block"),
        "l2_bytes": peaks.get("l2_bytes"),
        "tf32_products": bool(reference.get("tf32_products")),
    }


class Search:
    def __init__(
        self,
        problem_path: str,
        config: SearchConfig,
        on_event: Callable[[SearchEvent], None] | None,
        cancel: asyncio.Event | None,
        executor: Executor | None = None,
    ):
        self.problem_path = str(problem_path)
        self.executor = executor  # a caller's executor is the caller's to close
        self.made_executor: Executor | None = None  # one this search made: it closes it
        self.config = config
        self.on_event = on_event or (lambda event: None)
        self.cancel = cancel or asyncio.Event()
        self.rng = random.Random(config.seed)
        self.tree = Tree()
        self.strategy = make_strategy(config.strategy)
        self.notes: list[str] = []
        self.prepare_seconds: dict[str, float] = {}  # capture and profile, for the report
        self.interrupted: list[Node] = []  # stored in flight by a run that stopped; run again
        self.proposal_meta: dict[str, dict[str, Any]] = {}  # node id -> tokens, cost, ...
        self.failed = 0
        self.best_at = 0  # evaluation count when the best last improved
        self.best_id: str | None = None
        self.started = time.monotonic()

    # -- events ------------------------------------------------------------------
    def _emit(self, kind: str, node: Node | None = None, message: str = "") -> None:
        best = self.tree.best()
        elapsed = time.monotonic() - self.started
        event = SearchEvent(
            kind=kind,
            # a proposer that wrote nothing is a note, not an evaluation
            evaluated=sum(1 for n in self.tree.evaluated() if not no_candidate(n)),
            failed=self.failed,
            budget=self.config.budget,
            best_speedup=best.speedup if best else None,
            elapsed_s=elapsed,
            time_left_s=max(self.config.time_limit_s - elapsed, 0.0),
            node=node.report_row(with_source=False) if node else None,
            message=message,
        )
        try:
            self.on_event(event)
        except Exception as err:  # a broken listener must not end the search
            log.warning("search event listener failed: %s", err)

    def _interpreter_hint(self) -> str:
        """Why a CPU search that evaluated nothing ran out of time, and what to do."""
        if self.device != "cpu" or self.tree.evaluated():
            return ""
        inputs = ((getattr(self, "reference", None) or {}).get("memory") or {}).get("inputs")
        size = f" (inputs of {inputs / 2**20:.0f} MiB)" if inputs else ""
        return (
            f"; on CPU the Triton interpreter runs each kernel in Python, slow at this "
            f"problem's size{size}: raise --time-limit, run on a GPU (--device cuda), "
            "or lower the problem's size constants"
        )

    def _time_left(self) -> float:
        # Only a search that times torch.compile itself keeps time back for it
        # (`bench` times the baselines after all searches: its searches keep nothing back).
        reserve = (
            min(FINAL_EVAL_RESERVE_S, FINAL_EVAL_RESERVE_SHARE * self.config.time_limit_s)
            if self.device == "cuda" and self.config.compile_baseline
            else 0.0
        )
        return self.config.time_limit_s - reserve - (time.monotonic() - self.started)

    def _grace_left(self) -> float:
        """Time past the limit a search with no verdict yet may spend on its first."""
        if self.tree.evaluated():
            return 0.0
        elapsed = time.monotonic() - self.started
        return self.config.time_limit_s + FIRST_RESULT_GRACE_S - elapsed

    def _may_start(self, in_flight: int) -> bool:
        if self.cancel.is_set():
            return False
        if self._time_left() > 0:
            return True
        return not in_flight and self._grace_left() > 0  # the one candidate of the grace

    # -- setup ----------------------------------------------------------------------
    def _check_sandbox(self, pool: Executor) -> None:
        """Code from Claude runs only sandboxed unless the user says otherwise; without a
        sandbox the search still runs the embedded generator's code, and says so."""
        sandbox = pool.sandbox
        if sandbox.active:
            return
        wanted = self.config.proposers or proposer_registry.default_names()
        required = self.config.require_sandbox
        if required is None:
            required = "claude" in wanted
        if required:
            why = (
                "the Claude proposer's code runs only sandboxed"
                if self.config.require_sandbox is None
                else "--require-sandbox"
            )
            raise BadInputError(
                f"{why}, and no sandbox works here ({sandbox.reason}); "
                "install bubblewrap, or pass --allow-unsandboxed"
            )
        warning = sandbox.warning()  # None only for an active sandbox, returned above
        if warning:
            self.notes.append(warning)

    async def _prepare(self) -> None:
        self.device = resolve_device(self.config.device)
        self.source = read_source(self.problem_path, "problem")
        self.problem_hash = content_hash(self.source)
        self.store = Store(self.config.store_path)
        if self.store.notice:
            self.notes.append(self.store.notice)
        pool = self.executor
        if pool is None:
            pool = self.made_executor = make_executor(
                self.config.executor,
                self.config.ray_address,
                device=self.device,
                parallel=self.config.parallel,
                prestart=True,
            )
        self._check_sandbox(pool)
        self.harness = Harness(
            store=self.store,
            pool=pool,
            limits=Limits(
                timeout_s=180.0,
                import_timeout_s=min(
                    self.config.import_timeout_s,
                    max(self.config.time_limit_s, MIN_IMPORT_TIMEOUT_S),
                ),
            ),
        )
        # A Triton kernel with its PyTorch form is captured as that form (agent/torch_twin.py)
        self.capture_source = torch_twin.capture_source(Path(self.problem_path).read_text())
        await pool.warm(
            self.device,
            self.harness.reference_jobs_to_run(self.problem_path, self.device, self.capture_source),
        )
        # The device's peaks (measured once, then stored) are the profile's to report:
        # measured while the capture runs, not after it. A first bench on an H200 had
        # every profile wait 12-14 s for the peaks job's worker to start.
        peaks = asyncio.ensure_future(self.harness.peaks(self.device))
        peaks.add_done_callback(lambda done: done.cancelled() or done.exception())
        log.info("%s: capturing the reference graph", self.problem_path)
        began = time.monotonic()
        self.graph = await self._capture()
        captured = time.monotonic()
        log.info("%s: profiling the reference on %s", self.problem_path, self.device)
        self.reference = await self.harness.profile(
            self.problem_path, self.device, compile_baseline=False
        )
        self.prepare_seconds = {
            "capture": round(captured - began, 2),
            "profile": round(time.monotonic() - captured, 2),
        }
        log.info("%s: reference %.4f ms", self.problem_path, self.reference["timing"]["median_ms"])
        self.device_info = device_info(self.device, self.reference)
        self.proposers = proposer_registry.build(self.config.proposers, self.notes)
        for note in self.notes:
            self._emit("notice", message=note)
        skills = (
            proposer_registry.matching_skills(self.graph, self.device_info, self.config)
            if self.config.use_skills
            else ()
        )
        if skills:
            self.notes.append(
                f"warm start from {len(skills)} skill(s): " + ", ".join(s["id"] for s in skills)
            )
        self.skills = tuple(skills)
        self.skill_judge = SkillJudge(self.graph, self.device_info, self.skills)
        self.contexts = ContextBuilder(
            self.problem_path,
            self.source,
            self.graph,
            self.device_info,
            self.reference.get("profile"),
            self.skills,
        )
        key = f"{self.problem_hash}:{self.device}:{self.config.strategy}:{self.config.seed}"
        lineage = hashlib.sha256(key.encode()).hexdigest()[:16]
        # Each run has its own id, so a candidate's id (search_id, node id) names the
        # same stored node for good: a new run of the same problem leaves the nodes of
        # the last one, which the editor may still offer, as they were.
        last = self.store.latest_run(lineage) if self.config.resume else None
        self.search_id = last or f"{lineage}-{secrets.token_hex(4)}"
        self.record = SearchRecord(
            self.store,
            self.search_id,
            self.problem_hash,
            self.problem_path,
            self.device,
            self.config,
        )
        if self.config.resume:
            restored = self.record.restore(self.tree, self.strategy)
            self.interrupted, self.failed = restored.interrupted, restored.failed
            self.notes.extend(restored.notes)
        self.record.mark("running")

    # -- one expansion ------------------------------------------------------------------
    def _proposer_for(self, index: int):
        return self.proposers[index % len(self.proposers)]

    async def _propose(self, expansion: Expansion, index: int) -> Node | None:
        parent = self.tree.get(expansion.parent)
        partner = self.tree.get(expansion.crossover_with)
        extra = [partner] if partner is not None else []
        proposer = self._proposer_for(index)
        seen = self.tree.seen_sources()
        for attempt in range(DUPLICATE_RETRIES):
            seed = self.config.seed * 1_000_003 + index * 31 + attempt
            # Ask for more on a retry: a deterministic proposer repeats its first answer.
            ctx, chosen = self.contexts.build(
                self.tree, parent, expansion.memory, seed, extra, count=1 + 3 * attempt
            )
            try:
                if partner is not None and hasattr(proposer, "crossover"):
                    proposals = await proposer.crossover(ctx, partner.summary())
                else:
                    proposals = await proposer.propose(ctx)
            except ProposerError as err:
                return self._proposer_failure(expansion, proposer.name, str(err))
            fresh = [p for p in proposals if p.source not in seen]
            if fresh:
                return self._add_node(fresh[0], expansion, parent, chosen)
        note = (
            f"{proposer.name} proposed nothing new after {DUPLICATE_RETRIES} tries for "
            f"{expansion.parent or 'the reference'}"
        )
        if note not in self.notes:  # one line per place, however often it happens
            self.notes.append(note)
        return None

    def _add_node(
        self, proposal: Proposal, expansion: Expansion, parent: Node | None, chosen: list[Node]
    ) -> Node:
        node = Node(
            id=self.tree.new_id(),
            parent=parent.id if parent else None,
            depth=(parent.depth + 1) if parent else 1,
            proposer=proposal.proposer,
            move=proposal.move,
            memory=expansion.memory,
            source=proposal.source,
            config=proposal.config,
            context_ids=[n.id for n in chosen],
            island=expansion.island,
        )
        self.proposal_meta[node.id] = proposal.meta  # for its trajectory line only
        self.tree.add(node)
        self._emit("proposed", node)
        return node

    def _proposer_failure(self, expansion: Expansion, proposer: str, reason: str) -> Node:
        node = Node(
            id=self.tree.new_id(),
            parent=expansion.parent,
            depth=0,
            proposer=proposer,
            move="(no candidate)",
            memory=expansion.memory,
            result={"outcome": "proposer_error", "message": reason},
        )
        self.tree.add(node)
        self.notes.append(f"{proposer}: {reason}")
        return node

    async def _evaluate(self, node: Node) -> Node:
        log.info("%s: evaluating %s (%s)", self.problem_path, node.id, node.move)
        result = await self.harness.evaluate(
            self.problem_path,
            node.source,
            self.device,
            compile_baseline=False,
            use_cache=self.config.use_cache,
        )
        node.result = result.to_dict()
        seconds = result.seconds or {}
        log.info(
            "%s: %s %s in %.1f s (%.1f s of it waiting for the GPU)",
            self.problem_path,
            node.id,
            result.outcome,
            seconds.get("total", 0.0),
            seconds.get("waiting", 0.0),
        )
        return node

    def _record(self, node: Node) -> None:
        self.strategy.observe(self.tree, node)
        if not node.ok and not no_candidate(node):
            self.failed += 1
        self.record.put_node(node)
        outputs.append_trajectory(
            self.out_dir, node, self.tree, self.proposal_meta.pop(node.id, {})
        )
        self._emit("evaluated", node)
        for note in self.skill_judge.judge(self.tree):
            self.notes.append(note)
            self._emit("notice", message=note)
        best = self.tree.best()
        if best is not None and best.id != self.best_id:
            self.best_id = best.id
            self.best_at = len(self.tree.evaluated())
            self._emit("new_best", best)

    def _start(self, in_flight: dict[asyncio.Task, Node], node: Node) -> None:
        """Stored before it runs: a search killed now finds it on --resume and runs it again."""
        self.record.put_node(node)
        in_flight[asyncio.ensure_future(self._evaluate(node))] = node

    def _stagnant(self) -> bool:
        return len(self.tree.evaluated()) - self.best_at >= STAGNATION_WINDOW

    # -- the loop --------------------------------------------------------------------
    async def run(self) -> SearchReport:
        try:
            return await self._run()
        except BaseException:
            if getattr(self, "record", None):  # not left "running" for a resume to trust
                with contextlib.suppress(Exception):
                    self.record.mark("failed")
            raise
        finally:
            if self.made_executor is not None:
                await self.made_executor.close()  # the spare worker, started for a next candidate

    async def _run(self) -> SearchReport:
        await self._prepare()
        prepared_s = time.monotonic() - self.started
        self.out_dir = outputs.prepare_out_dir(
            self.config.out_dir, self.problem_path, resume=self.config.resume
        )
        in_flight: dict[asyncio.Task, Node] = {}
        index = len(self.tree)
        for stopped in self.interrupted[: max(self.config.budget - len(self.tree.evaluated()), 0)]:
            self._start(in_flight, stopped)
        while True:
            budget_left = self.config.budget - len(self.tree.evaluated()) - len(in_flight)
            can_start = budget_left > 0 and self._may_start(len(in_flight))
            while can_start and len(in_flight) < self.config.parallel:
                expansion = self.strategy.next(self.tree, self.rng, self._stagnant())
                node = await self._propose(expansion, index)
                index += 1
                if node is None and (best := self.tree.best()) is not None:
                    # Nothing new from there: grow the best node instead.
                    fallback = Expansion(parent=best.id, memory="parent")
                    node = await self._propose(fallback, index)
                    index += 1
                if node is None:
                    break
                if node.result is not None:  # proposer failure: counted, nothing to run
                    self._record(node)
                else:
                    self._start(in_flight, node)
                budget_left = self.config.budget - len(self.tree.evaluated()) - len(in_flight)
                can_start = budget_left > 0 and self._may_start(len(in_flight))
            if not in_flight:
                break
            waiter = asyncio.ensure_future(self.cancel.wait())
            done, _ = await asyncio.wait(
                set(in_flight) | {waiter},
                timeout=max(self._time_left(), self._grace_left(), 1.0),
                return_when=asyncio.FIRST_COMPLETED,
            )
            waiter.cancel()
            out_of_time = self._time_left() <= 0 and self._grace_left() <= 0
            if self.cancel.is_set() or not (done - {waiter}) and out_of_time:
                if not self.cancel.is_set():
                    self.notes.append(
                        f"time limit: {len(in_flight)} candidate(s) still being evaluated were "
                        f"cancelled (capturing and profiling the reference took {prepared_s:.0f} s)"
                        + self._interpreter_hint()
                    )
                await _cancel_all(in_flight)
                break
            for task in done - {waiter}:
                node = in_flight.pop(task)
                try:
                    task.result()
                except ExecutorLost:
                    # Not this candidate's failure: nothing is left to run any. The
                    # node stays stored without a result, so --resume runs it again.
                    await _cancel_all(in_flight)
                    raise
                except Exception as err:  # a harness failure on one node is that node's failure
                    node.result = {"outcome": "crash", "message": f"harness: {err}"}
                self._record(node)
                if len(self.tree.evaluated()) == 1 and self._time_left() <= 0:
                    over = time.monotonic() - self.started - self.config.time_limit_s
                    self.notes.append(
                        f"no candidate had a verdict at the {self.config.time_limit_s:.0f} s limit "
                        f"(capturing and profiling the reference took {prepared_s:.0f} s): the "
                        f"first ran to its verdict, {max(over, 0.0):.0f} s past the limit"
                    )
        return await self._finish()

    async def _capture(self) -> dict[str, Any]:
        """The graph the generator plans from: the problem's, or where the problem is a
        Triton kernel with its PyTorch form (agent/torch_twin.py), that form's."""
        if self.capture_source is None:
            return await self.harness.capture(self.problem_path, self.device)
        with tempfile.TemporaryDirectory(prefix="kw-twin-") as folder:
            path = Path(folder) / Path(self.problem_path).name  # its messages name the file
            path.write_text(self.capture_source)
            graph = await self.harness.capture(str(path), self.device)
        self.notes.append(
            "kernels are also planned from the PyTorch form of your kernel's computation "
            f"(`{torch_twin.TWIN}`); every candidate is verified against your kernel"
        )
        return graph

    async def _finish(self) -> SearchReport:
        cancelled = self.cancel.is_set()
        best = self.tree.best()
        baseline = None
        if (
            best is not None
            and self.device == "cuda"
            and self.config.compile_baseline
            and not cancelled
        ):
            final = await self.harness.evaluate(
                self.problem_path,
                best.source,
                self.device,
                compile_baseline=True,
                compile_mode=self.config.compile_mode,
            )
            if final.outcome == "ok":
                best.result = {
                    **final.to_dict(),
                    "search_result": (best.result or {}).get("speedup"),
                }
                # The store is where the editor reads a candidate's numbers: it gets the final ones.
                self.record.put_node(best)
                baseline = {
                    "label": f"torch.compile ({self.config.compile_mode}), timed "
                    "alongside the best in one process",
                    "compile_ms": (final.baseline or {}).get("compile_ms"),
                    "eager_ms": (final.baseline or {}).get("eager_ms"),
                }
            else:
                self.notes.append(
                    f"the final re-evaluation of {best.id} said {final.outcome}: {final.message}"
                )
        if self.device == "cpu":
            self.notes.append(
                "on CPU Triton runs under the interpreter: the search verified "
                "correctness only; no speedups were measured"
            )
        if best is not None and not cancelled:
            note = proposer_registry.write_skill(
                best,
                self.graph,
                self.device_info,
                self.problem_hash,
                self.search_id,
                self.tree.runners_up(best),
                directory=self.config.skills_dir,
            )
            if note:
                self.notes.append(note)
        self.record.mark("cancelled" if cancelled else "done")
        report = SearchReport(
            problem=self.problem_path,
            device=self.device,
            best=outputs.best_dict(best),
            # what ran in the harness: a proposer that wrote nothing evaluated nothing
            evaluated=sum(1 for n in self.tree.evaluated() if not no_candidate(n)),
            nodes=[n.report_row() for n in self.tree if n.result is not None],
            baseline=baseline,
            notes=self.notes,
            reference=(
                {**self.reference, "prepare_seconds": self.prepare_seconds}
                if self.reference
                else self.reference
            ),
            search_id=self.search_id,
        )
        outputs.write_outputs(self.out_dir, report, best, self._accounts())
        self._emit("finished", best, message="cancelled" if cancelled else "done")
        return report

    def _accounts(self) -> dict[str, Any]:
        return {p.name: p.account for p in self.proposers if hasattr(p, "account")}


async def _cancel_all(in_flight: dict[asyncio.Task, Node]) -> None:
    for task in in_flight:
        task.cancel()
    await asyncio.gather(*in_flight, return_exceptions=True)
    in_flight.clear()


async def run_search(
    problem_path: str,
    config: SearchConfig,
    on_event: Callable[[SearchEvent], None] | None = None,
    cancel: asyncio.Event | None = None,
    executor: Executor | None = None,
) -> SearchReport:
    if not Path(problem_path).is_file():
        raise BadInputError(f"problem file not found: {problem_path}")
    return await Search(problem_path, config, on_event, cancel, executor).run()
