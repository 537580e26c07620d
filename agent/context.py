"""Builds each node's ProposalContext: the dynamic prompt's raw material.

Knowledge is retrieved per node from the runtime signals of the node's
parent (its bottleneck, its error class) and the problem's op classes, so a
compile error pulls its debugging guide and a memory-bound parent pulls the
memory-hierarchy notes.
"""

from __future__ import annotations

import logging
from typing import Any

from kernelwright.agent import memory
from kernelwright.agent.proposers.base import ProposalContext
from kernelwright.agent.tree import Node, Tree

log = logging.getLogger(__name__)

KNOWLEDGE_BUDGET_TOKENS = 6000


class ContextBuilder:
    def __init__(
        self,
        problem_path: str,
        problem_source: str,
        graph: dict[str, Any] | None,
        device: dict[str, Any],
        reference_profile: dict[str, Any] | None,
        skills: tuple[dict[str, Any], ...],
        workspace: str | None = None,
    ):
        self.problem_path = problem_path
        self.problem_source = problem_source
        self.graph = graph
        self.device = device
        self.reference_profile = reference_profile
        self.skills = skills
        self.workspace = workspace
        self._index: Any = None  # a KnowledgeIndex, loaded on first use

    def _knowledge(self, parent: Node | None) -> tuple[str, ...]:
        try:
            from kernelwright.knowledge.index import KnowledgeIndex
            from kernelwright.knowledge.retrieval import render, retrieve
            from kernelwright.knowledge.signals import signals_from_result

            if self._index is None:
                self._index = KnowledgeIndex.load(workspace=self.workspace)
            source = (
                parent.result
                if parent and parent.result
                else {"outcome": "ok", "profile": self.reference_profile or {}}
            )
            signals = signals_from_result(source, self.graph, device=self.device.get("name"))
            docs = retrieve(signals, KNOWLEDGE_BUDGET_TOKENS, index=self._index)
            return tuple(render(docs))
        except Exception as err:  # knowledge helps; its failure must not stop a search
            log.warning("knowledge retrieval failed: %s", err)
            return ()

    def build(
        self,
        tree: Tree,
        parent: Node | None,
        operator: str,
        seed: int,
        extra: list[Node] | None = None,
        count: int = 1,
    ) -> tuple[ProposalContext, list[Node]]:
        chosen = memory.build_context(tree, parent, operator) + list(extra or [])
        ctx = ProposalContext(
            problem_path=self.problem_path,
            problem_source=self.problem_source,
            graph=self.graph,
            device=self.device,
            parent=parent.summary() if parent else None,
            memory=operator,
            memory_context=tuple(n.summary() for n in chosen),
            knowledge=self._knowledge(parent),
            skills=self.skills,
            count=count,
            seed=seed,
            reference_profile=self.reference_profile,
            tried=tuple(n.config for n in tree if n.config),
            best_config=_best_timed_config(tree),
        )
        return ctx, chosen


def _best_timed_config(tree: Tree) -> dict[str, Any] | None:
    best = tree.best()
    return dict(best.config) if best is not None and best.speedup and best.config else None
