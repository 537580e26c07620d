"""Which proposers a search uses, and its two links to the skill library."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kernelwright.agent.api import SearchConfig
from kernelwright.agent.tree import Node

log = logging.getLogger(__name__)

KNOWN = ("embedded", "claude")


def _claude_available() -> tuple[bool, str]:
    try:
        from kernelwright.agent.proposers.claude import claude_available
    except ImportError as err:  # e.g. a GPU image without the anthropic package
        return False, f"Claude proposer off: {err}; the embedded generator carries on"
    return claude_available()


def default_names() -> tuple[str, ...]:
    """Embedded always; Claude when a key is configured."""
    available, _ = _claude_available()
    return ("embedded", "claude") if available else ("embedded",)


def build(names: tuple[str, ...] | None, notes: list[str]) -> list[Any]:
    from kernelwright.agent.proposers.embedded import EmbeddedProposer

    wanted = tuple(names) if names else default_names()
    unknown = [n for n in wanted if n not in KNOWN]
    if unknown:
        from kernelwright.harness.evaluate import BadInputError

        raise BadInputError(f"unknown proposer(s) {', '.join(unknown)}: use {', '.join(KNOWN)}")
    proposers: list[Any] = []
    if "embedded" in wanted:
        proposers.append(EmbeddedProposer())
    if "claude" in wanted or names is None:
        available, reason = _claude_available()
        if available:
            from kernelwright.agent.proposers.claude import create_claude_proposer

            proposers.append(create_claude_proposer())
        if "claude" in wanted or not available:
            notes.append(reason)
    if not proposers:
        notes.append("no proposer available: falling back to the embedded generator")
        proposers.append(EmbeddedProposer())
    return proposers


def _problem_facts(graph: dict[str, Any] | None) -> tuple[str, str, list[int]] | None:
    from kernelwright.agent.warm_start import problem_shape

    found = problem_shape(graph)
    if found is None or graph is None:
        return None
    from kernelwright.knowledge.signals import op_classes_from_graph

    classes = list(op_classes_from_graph(graph))
    return (classes[0] if classes else "other", *found)


def matching_skills(
    graph: dict[str, Any] | None, device: dict[str, Any], config: SearchConfig
) -> list[dict[str, Any]]:
    """Skills for this problem, closest regime first (warm_start.regime_facts:
    row length against the one-block limit, rows per SM, bytes per row against
    shared memory, the tensor against L2); each carries `match`, the closeness
    and the reason the proposer names in its node's move."""
    facts = _problem_facts(graph)
    if facts is None:
        return []
    try:
        from kernelwright.agent.warm_start import regime_facts
        from kernelwright.knowledge.skills import find_skills

        op_class, dtype, shape = facts
        found = find_skills(
            op_class,
            dtype,
            str(device.get("name") or device.get("kind")),
            shape,
            directory=Path(config.skills_dir) if config.skills_dir else None,
            facts=regime_facts(graph, device),
        )
        return [s.to_context() for s in found]
    except Exception as err:  # the library is a help, never a blocker
        log.warning("skill lookup failed: %s", err)
        return []


def _change_from_default(best: Node, graph: dict[str, Any] | None, device: dict[str, Any]) -> str:
    """What the winner changed from the template's default config: the skill's
    "what changed" line. The winner's own move says only its last step, or
    "skill X" when a warm start seeded it, which tells the next reader nothing."""
    if not best.config or not graph:
        return best.move
    from kernelwright.agent.generator import config_changes, default_config, plan_or_reason

    plan, _ = plan_or_reason(graph)
    if plan is None:
        return best.move
    default = default_config(plan, device)
    changes = config_changes(default, best.config)
    return f"from the default config: {changes}" if changes else "the default config"


def write_skill(
    best: Node,
    graph: dict[str, Any] | None,
    device: dict[str, Any],
    problem_hash: str,
    search_id: str,
    runners_up: list[Node] | tuple[Node, ...] = (),
    directory: str | None = None,
) -> str | None:
    """Distils a verified improvement into a skill; returns a note for the report.

    `device` is the search's device info: its name files the skill, its kind and
    facts (sm_count, shared memory per block) work out the default config as the
    search saw it, for the skill's "what changed" line."""
    facts = _problem_facts(graph)
    if facts is None or not best.speedup or best.speedup <= 1.0:
        return None
    from kernelwright.agent.warm_start import regime_facts
    from kernelwright.harness.evaluate import package_versions
    from kernelwright.knowledge.skills import write_skill as write

    op_class, dtype, shape = facts
    node = {
        **(best.result or {}),
        "config": best.config,
        "move": _change_from_default(best, graph, device),
        "source": best.source,
    }
    try:
        skill = write(
            node,
            op_class=op_class,
            dtype=dtype,
            device=device["name"],
            shape=shape,
            problem_hash=problem_hash,
            search_id=search_id,
            runners_up=[
                {"config": n.config, "speedup_vs_eager": n.speedup}
                for n in runners_up
                if n.config and n.speedup and n.speedup > 1.0
            ],
            version=package_versions()["kernelwright"],
            facts=regime_facts(graph, device),
            directory=Path(directory) if directory else None,
        )
    except Exception as err:
        log.warning("skill write-back failed: %s", err)
        return f"skill not written: {err}"
    return f"skill written: {skill.id} ({skill.path})"
