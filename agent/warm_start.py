"""Warm starts: where a problem's regime sits, and what the root's measurements
say about the skills it was seeded with.

A skill is a hint, not a replacement (issue 22). The embedded proposer puts
each skill's config beside the family's default at the root; once both have a
verdict, `judge_skills` keeps the better (the tree's best already does) and,
when the skill's config lost, records in the skill file that it does not apply
to this regime (shape bucket, dtype, device), so no later search there is
seeded with it. Nothing here runs a kernel: it reads the tree.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any

from kernelwright.agent.tree import Node, Tree
from kernelwright.knowledge.shape_regime import RegimeFacts, regime_key
from kernelwright.knowledge.vocabulary import device_tag

log = logging.getLogger(__name__)

# A skill's config loses when it is this much slower than the default: the
# harness stops timing at 1% relative standard error, so two medians of one
# kernel differ by about 2% at worst.
NOISE = 0.02


def problem_shape(graph: dict[str, Any] | None) -> tuple[str, list[int]] | None:
    """(dtype, shape) of the problem's first input: what skills are filed under."""
    if not graph or not graph.get("inputs"):
        return None
    first = graph["inputs"][0]
    dtype = str(first.get("dtype", "float32")).removeprefix("torch.")
    return dtype, [int(v) for v in first.get("shape") or []]


def regime_facts(graph: dict[str, Any] | None, device: dict[str, Any]) -> RegimeFacts | None:
    """The first input as rows (its last dim) against the device's facts and the
    generator's one-block row limit for its dtype."""
    found = problem_shape(graph)
    if found is None:
        return None
    from kernelwright.agent.generator.heuristics import (
        device_facts,
        element_bytes,
        row_block_limit,
    )

    dtype, shape = found
    facts = device_facts(device)
    row, rows, inner = _rows_of(graph, shape)
    return RegimeFacts(
        row=max(row, 1),
        rows=max(rows, 1),
        inner=max(inner, 1),
        element_bytes=element_bytes(dtype),
        block_elements=row_block_limit(dtype),
        sm_count=facts.sm_count,
        shared_memory_per_block=facts.shared_memory_per_block,
        l2_bytes=facts.l2_bytes,
    )


def _rows_of(graph: dict[str, Any] | None, shape: list[int]) -> tuple[int, int, int]:
    """(elements per row, rows, how far apart a row's elements lie): the extent the
    planned op reduces or normalises over, how many such rows there are, and the
    product of the dims after it; the first input's last dim where the plan names no
    dims. A mean over (H, W) of [8, 64, 512, 512] is 512 rows of 262144,
    not 262144 rows of 512 (its regime is a long row's, benchmarks/flywheel/spatial_mean_b.py)."""
    from kernelwright.agent.generator import plan
    from kernelwright.agent.generator.templates.rows import row_view

    found = plan(graph) if graph else None
    dims = found.attr("dims") if found is not None else None
    if isinstance(dims, int):
        dims = (dims,)
    if found is not None and dims and len(found.in_shape) > max(dims):
        outer, row, inner = row_view(tuple(found.in_shape), tuple(dims))
        return row, outer * inner, inner
    if not shape:
        return 1, 1, 1
    return shape[-1], math.prod(shape[:-1]), 1


def this_regime(graph: dict[str, Any] | None, device: dict[str, Any]) -> str | None:
    """The key a "not applying" mark names for this problem on this device."""
    found = problem_shape(graph)
    if found is None:
        return None
    dtype, shape = found
    return regime_key(shape, dtype, device_tag(str(device.get("name") or device.get("kind"))))


@dataclass
class SkillJudge:
    """Compares each skill's root node with the default's root node, once both
    have a verdict; remembers which skills it has judged."""

    graph: dict[str, Any] | None
    device: dict[str, Any]
    skills: tuple[dict[str, Any], ...]
    judged: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._configs = self._root_configs()

    def _root_configs(self) -> tuple[dict | None, dict[str, dict]]:
        """The default config and each skill's config as fitted to this plan."""
        if not self.skills:
            return None, {}
        from kernelwright.agent.generator import default_config, fit_config, plan_or_reason

        plan, _ = plan_or_reason(self.graph or {})
        if plan is None:  # several kernels: no single default to measure against
            return None, {}
        fitted = {}
        for skill in self.skills:
            config = skill.get("config")
            if isinstance(config, dict) and skill.get("id"):
                found = fit_config(plan, config, self.device)
                if found is not None:
                    fitted[str(skill["id"])] = found
        return default_config(plan, self.device), fitted

    def judge(self, tree: Tree) -> list[str]:
        """Notes for the skills whose root node and the default's both have a
        verdict now; marks each skill that lost as not applying here."""
        default, fitted = self._configs
        if default is None:
            return []
        roots = [n for n in tree if n.parent is None and n.config is not None]
        base = next((n for n in roots if n.config == default and n.result is not None), None)
        if base is None:
            return []
        notes = []
        for skill in self.skills:
            skill_id = str(skill.get("id"))
            config = fitted.get(skill_id)
            if skill_id in self.judged or config is None:
                continue
            if config == default:
                self.judged.add(skill_id)
                notes.append(f"skill {skill_id}: its config is this problem's default")
                continue
            node = next((n for n in roots if n.config == config and n.result is not None), None)
            if node is None:
                continue
            self.judged.add(skill_id)
            notes.append(self._verdict(skill, node, base))
        return notes

    def _verdict(self, skill: dict[str, Any], node: Node, base: Node) -> str:
        skill_id = str(skill.get("id"))
        if not node.ok and not base.ok:
            return f"skill {skill_id}: neither its config nor the default verified here"
        if node.ok and not base.ok:
            return f"skill {skill_id} kept: the default said {base.outcome} here"
        if node.ok and (node.speedup is None or base.speedup is None):
            return f"skill {skill_id}: verified here, but untimed (no verdict on its speed)"
        if node.ok and node.speedup is not None and base.speedup is not None:
            if node.speedup >= base.speedup * (1 - NOISE):
                return (
                    f"skill {skill_id} kept: {node.speedup:.2f}× eager ({node.id}) against the "
                    f"default's {base.speedup:.2f}× ({base.id})"
                )
            why = (
                f"its config ran {node.speedup:.2f}× eager ({node.id}), the default "
                f"{base.speedup:.2f}× ({base.id})"
            )
        else:
            why = f"its config said {node.outcome} ({node.id})"
        return self._mark(skill, why, node, base)

    def _mark(self, skill: dict[str, Any], why: str, node: Node, base: Node) -> str:
        skill_id = str(skill.get("id"))
        key = this_regime(self.graph, self.device)
        path = skill.get("path")
        if key is None or not path:
            return f"skill {skill_id} lost here: {why}"
        from kernelwright.knowledge.skills import mark_not_applying

        evidence = {
            "why": why,
            "skill_speedup": node.speedup,
            "default_speedup": base.speedup,
            "outcome": node.outcome,
        }
        try:
            marked = mark_not_applying(path, key, evidence)
        except Exception as err:  # the library is a help, never a blocker
            log.warning("could not mark skill %s: %s", skill_id, err)
            return f"skill {skill_id} lost here: {why} (not recorded: {err})"
        if marked is None:
            return f"skill {skill_id} lost here: {why} (its file is gone)"
        return f"skill {skill_id} lost here: {why}; marked as not applying to {key}"
