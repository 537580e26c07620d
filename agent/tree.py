"""The search tree: candidates, their lineage, and what the harness said of them."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from kernelwright.agent.proposers.base import NodeSummary

ROOT = "root"  # the reference itself: every first candidate is its child

# Reward shaping for failures: below any verified candidate (whose reward is
# >= 0 for anything faster than a 2× slowdown), worst for cheating.
FAILURE_REWARD = {
    "wrong": -0.5,
    "compile_error": -1.0,
    "runtime_error": -1.0,
    "timeout": -1.0,
    "crash": -1.0,
    "rejected": -2.0,
    "proposer_error": -1.0,
}


@dataclass
class Node:
    id: str
    parent: str | None
    depth: int
    proposer: str
    move: str
    memory: str  # memory operator that built the node's context
    source: str = ""
    config: dict[str, Any] | None = None
    context_ids: list[str] = field(default_factory=list)
    result: dict[str, Any] | None = None
    island: int = 0
    visits: int = 0
    value_sum: float = 0.0

    @property
    def outcome(self) -> str | None:
        return (self.result or {}).get("outcome")

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def speedup(self) -> float | None:
        return ((self.result or {}).get("speedup") or {}).get("vs_eager")

    def reward(self) -> float:
        if self.ok:
            # log2 keeps a 4× find from drowning every other branch; on CPU
            # (no timing) a verified candidate is worth a flat 1.
            return math.log2(self.speedup) + 1.0 if self.speedup else 1.0
        return FAILURE_REWARD.get(self.outcome or "proposer_error", -1.0)

    def summary(self) -> NodeSummary:
        result = self.result or {}
        return NodeSummary(
            id=self.id,
            source=self.source,
            config=self.config,
            move=self.move,
            outcome=self.outcome or "pending",
            message=result.get("message", ""),
            speedup_vs_eager=self.speedup,
            profile=result.get("profile"),
            correctness=result.get("correctness"),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Node:
        return cls(**data)

    def report_row(self, with_source: bool = True) -> dict[str, Any]:
        """The node as the report carries it: everything a consumer needs to offer,
        rank or apply the candidate without reading the search's out folder. Progress
        events leave the source out (`with_source=False`): they only count."""
        result = self.result or {}
        row = {
            "id": self.id,
            "parent": self.parent,
            "proposer": self.proposer,
            "memory": self.memory,
            "move": self.move,
            "outcome": self.outcome,
            "message": result.get("message"),
            "speedup": result.get("speedup"),
            "timing": result.get("timing"),
            "baseline": result.get("baseline"),
            "profile": result.get("profile"),
            "device": result.get("device"),
            "config": self.config,
            "bottleneck": (result.get("profile") or {}).get("bottleneck"),
            "seconds": result.get("seconds"),
            "gpu_memory": result.get("gpu_memory"),
            # where else it was verified, and where applied code runs the original
            # (harness/derived_shapes.py)
            "shapes": (result.get("correctness") or {}).get("shapes"),
            "flags": result.get("flags"),
            "context": self.context_ids,
        }
        if with_source:
            row["source"] = self.source
        return row


class Tree:
    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.children: dict[str, list[str]] = {ROOT: []}
        self.root_visits = 0
        self._last_id = 0

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes.values())

    def __len__(self) -> int:
        return len(self.nodes)

    def new_id(self) -> str:
        """One past the largest id ever added: a resumed tree with gaps (a node lost in
        flight) never hands out an id twice."""
        self._last_id += 1
        return f"n{self._last_id:04d}"

    def add(self, node: Node) -> Node:
        """Adds a node under an existing parent. Refused: a repeated id, and a parent that is
        the node itself or not in the tree (so the tree can hold no cycle)."""
        if node.id in self.nodes:
            raise ValueError(f"node id {node.id} is already in the tree")
        if node.parent is not None and node.parent not in self.nodes:
            raise ValueError(f"node {node.id}'s parent {node.parent} is not in the tree")
        self._last_id = max(self._last_id, node_number(node.id))
        self.nodes[node.id] = node
        self.children.setdefault(node.id, [])
        self.children.setdefault(node.parent or ROOT, []).append(node.id)
        return node

    def get(self, node_id: str | None) -> Node | None:
        return self.nodes.get(node_id) if node_id else None

    def kids(self, node_id: str) -> list[Node]:
        return [self.nodes[c] for c in self.children.get(node_id, [])]

    def evaluated(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.result is not None]

    def ancestors(self, node: Node) -> list[Node]:
        chain, seen = [], {node.id}
        current = self.get(node.parent)
        while current is not None and current.id not in seen:  # `add` refuses cycles; be sure
            chain.append(current)
            seen.add(current.id)
            current = self.get(current.parent)
        return chain

    def backpropagate(self, node: Node) -> None:
        value = node.reward()
        node.visits += 1
        node.value_sum += value
        for ancestor in self.ancestors(node):
            ancestor.visits += 1
            ancestor.value_sum += value
        self.root_visits += 1

    def best(self) -> Node | None:
        """Fastest verified node; on CPU (no timing) the first verified one."""
        verified = [n for n in self.nodes.values() if n.ok]
        if not verified:
            return None
        timed = [n for n in verified if n.speedup]
        if timed:
            return max(timed, key=lambda n: (n.speedup, -node_number(n.id)))
        return min(verified, key=lambda n: node_number(n.id))

    def runners_up(self, best: Node, count: int = 3) -> list[Node]:
        """The next-best verified nodes with distinct configs, fastest first (a skill
        keeps them beside its winner: knowledge/skills.py)."""
        ranked = sorted(
            (n for n in self.evaluated() if n.ok and n.speedup and n is not best),
            key=lambda n: n.speedup or 0.0,  # all timed: the filter above
            reverse=True,
        )
        picked: list[Node] = []
        for node in ranked:
            if (
                node.config
                and node.config != best.config
                and all(node.config != other.config for other in picked)
            ):
                picked.append(node)
        return picked[:count]

    def seen_sources(self) -> set[str]:
        return {n.source for n in self.nodes.values()}


def node_number(node_id: str) -> int:
    """n0042 -> 42; an id of another shape sorts first."""
    try:
        return int(node_id[1:])
    except ValueError:
        return 0


def no_candidate(node: Node) -> bool:
    """A proposer failure's node: no candidate was written, so nothing ran or failed."""
    return (node.result or {}).get("outcome") == "proposer_error"
