"""The agent layer's public surface, used by the CLI and the language server.

Implemented in `agent.search`; this module holds the shapes only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SearchConfig:
    budget: int = 16  # candidates to evaluate (baseline not counted)
    time_limit_s: float = 600.0
    strategy: str = "mcts"  # or "evolve"
    proposers: tuple[str, ...] | None = None  # None: embedded, plus claude when a key is set
    device: str = "auto"
    store_path: str | None = None
    out_dir: str | None = None
    resume: bool = False
    seed: int = 0
    parallel: int = 2  # candidates in flight at once
    compile_baseline: bool = True
    compile_mode: str = "max-autotune"  # the labelled torch.compile baseline
    use_skills: bool = True  # warm-start from skills of earlier searches
    # The skill library this search reads and writes; None: the data directory's
    # (knowledge/index.py skills_dir). Concurrent searches of unrelated problems
    # (scripts/flywheel.py's pairs) each keep their own.
    skills_dir: str | None = None
    # Refuse to run problem or candidate code outside a sandbox (harness/sandbox.py).
    # None: required when the Claude proposer joins, whose code is untrusted by design.
    require_sandbox: bool | None = None
    import_timeout_s: float = 60.0  # the problem's import and inputs; capped by time_limit_s
    use_cache: bool = True  # answer repeated candidates from the results store
    # Where candidates run (harness/executors.py): "local" worker processes, or "ray",
    # one actor per GPU of the cluster at `ray_address` (None: a local Ray instance).
    executor: str = "local"
    ray_address: str | None = None


@dataclass
class SearchEvent:
    kind: str  # "proposed" | "evaluated" | "new_best" | "finished" | "notice"
    evaluated: int
    failed: int
    budget: int
    best_speedup: float | None = None  # vs eager; None on CPU (no timing)
    elapsed_s: float = 0.0
    time_left_s: float | None = None
    node: dict[str, Any] | None = None
    message: str = ""


@dataclass
class SearchReport:
    problem: str
    device: str
    best: dict[str, Any] | None  # node dict incl. "source", "outcome", "speedup", "profile"
    evaluated: int
    # Every evaluated node, whole: `Node.report_row()` (source, outcome, speedup, timing,
    # baseline, profile, device, ...). Nothing needs the out folder to rebuild one.
    nodes: list[dict[str, Any]] = field(default_factory=list)
    baseline: dict[str, Any] | None = None  # the torch.compile baseline node, labelled
    notes: list[str] = field(default_factory=list)
    reference: dict[str, Any] | None = None  # the reference's profile (Harness.profile)
    # Names this run's nodes in the results store: (search_id, node id) is a candidate's id.
    search_id: str | None = None


# Entry points (implemented in agent/search.py and agent/profiling.py):
#
#   async def run_search(problem_path: str, config: SearchConfig,
#                        on_event: Callable[[SearchEvent], None] | None = None,
#                        cancel: asyncio.Event | None = None,
#                        executor: Executor | None = None) -> SearchReport
#       Runs the tree search; every evaluation happens in harness worker
#       subprocesses driven by asyncio, so it is safe inside an event loop.
#       Setting `cancel` stops proposing, kills in-flight workers and returns
#       the report of what was evaluated so far. An `executor` given (a bench shares
#       one Ray executor among its searches) is used and left open; otherwise the
#       search makes the one `config.executor` names and closes it.
#
#   async def profile_problem(problem_path: str, device: str = "auto",
#                             store_path: str | None = None) -> dict
#       The reference's profile: the same object `kernelwright profile --json`
#       prints (timing, bytes, flops, achieved rates, % of peak, bottleneck).
