"""The one small protocol every proposer implements.

The search engine asks a proposer for candidates given a `ProposalContext`
built for one tree node; it never knows which proposer it is talking to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class NodeSummary:
    """What a prompt or a generator needs to know about an evaluated node."""

    id: str
    source: str
    config: dict[str, Any] | None
    move: str
    outcome: str
    message: str  # compile error text, mismatch statistics, ...
    speedup_vs_eager: float | None
    profile: dict[str, Any] | None  # bottleneck, achieved rates, % of peak
    correctness: dict[str, Any] | None


@dataclass(frozen=True)
class ProposalContext:
    problem_path: str
    problem_source: str
    graph: dict[str, Any] | None  # the reference captured by the harness (capture job)
    device: dict[str, Any]  # {"name", "kind": "cpu"|"cuda", "peaks": {...} | None}
    parent: NodeSummary | None
    memory: str  # "parent" | "siblings" | "parent+siblings" | "clean_slate"
    memory_context: tuple[NodeSummary, ...]  # nodes the memory operator chose
    knowledge: tuple[str, ...]  # retrieved knowledge documents (text) for these signals
    skills: tuple[dict[str, Any], ...] = ()  # matching skills (decisions + configs)
    count: int = 1
    seed: int = 0
    reference_profile: dict[str, Any] | None = None
    tried: tuple[dict[str, Any], ...] = ()  # configs already in the tree (evaluated or in flight)
    # The fastest timed verified node's config so far (None before anything is timed):
    # a warm root keeps whichever of the skill's config and the default measured better.
    best_config: dict[str, Any] | None = None


@dataclass(frozen=True)
class Proposal:
    source: str  # a full candidate module defining ModelNew
    proposer: str
    move: str  # human-readable description of what changed and why
    config: dict[str, Any] | None = None  # decisions/configuration (embedded generator)
    meta: dict[str, Any] = field(default_factory=dict)  # tokens, cost, prompt id...


class ProposerError(Exception):
    """A proposer could not produce a usable candidate (recorded, not fatal)."""


class Proposer(Protocol):
    name: str

    async def propose(self, ctx: ProposalContext) -> list[Proposal]: ...
