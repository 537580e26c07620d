"""Assemble the Claude prompt for one search node from the templates in agent/prompts/.

The request is ordered for prompt caching: system prompt, then problem + device,
then retrieved knowledge — each its own cacheable block, since they repeat across
the nodes of one search — and the node-specific part (parent diagnostics, memory
context, task) last, so it never invalidates the cached prefix.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any

from kernelwright.agent.proposers.base import NodeSummary, ProposalContext

if TYPE_CHECKING:  # the request's shapes, as the SDK types them (plain dicts at runtime)
    from anthropic.types import CacheControlEphemeralParam, MessageParam, TextBlockParam

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
TEMPLATE_NAMES = ("system", "problem", "knowledge", "node", "parent", "memory_node")

# Size bounds (characters) that keep one request well inside the context window
# while leaving whole any realistic problem, compile error or candidate.
SOURCE_LIMIT = 24_000
MESSAGE_LIMIT = 6_000
SHORT_MESSAGE_LIMIT = 600
DIFF_LIMIT = 8_000
KNOWLEDGE_LIMIT = 40_000
SKILL_LIMIT = 2_000


@dataclass(frozen=True)
class Prompt:
    system: str
    problem: str  # problem source, device and reference profile: fixed per search
    knowledge: str  # retrieved knowledge and skills: shared by nodes with the same signals
    node: str  # parent, memory context and task: this node only


@lru_cache(maxsize=1)
def _templates() -> dict[str, Template]:
    return {
        name: Template((PROMPTS_DIR / f"claude_{name}.md").read_text(encoding="utf-8"))
        for name in TEMPLATE_NAMES
    }


@lru_cache(maxsize=1)
def _snippets() -> dict[str, Any]:
    return json.loads((PROMPTS_DIR / "claude_snippets.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def prompt_id() -> str:
    """Names the template set in proposal meta, so a result can be traced to its prompts."""
    digest = hashlib.sha256()
    for path in sorted(PROMPTS_DIR.glob("claude_*")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return "claude-" + digest.hexdigest()[:12]


def clip(text: str, limit: int) -> str:
    """Keep head and tail: compile errors and tracebacks put the cause at the end."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n[... {len(text) - limit} characters cut ...]\n{text[-half:]}"


def _fields(data: dict[str, Any] | None, empty: str = "none") -> str:
    if not data:
        return empty
    return ", ".join(f"{key}={_value(value)}" for key, value in data.items())


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return "{" + _fields(value) + "}"
    return str(value)


def _speedup(node: NodeSummary) -> str:
    return f"{node.speedup_vs_eager:.3g}x" if node.speedup_vs_eager is not None else "not measured"


def render_device(device: dict[str, Any]) -> str:
    snippets = _snippets()
    lines = [f"{device.get('name', 'unknown device')} ({device.get('kind', '?')})"]
    peaks = device.get("peaks")
    if peaks:
        lines += [f"- measured peak {name}: {_value(value)}" for name, value in peaks.items()]
    else:
        lines.append(snippets["no_peaks"])
    if device.get("kind") == "cpu":
        lines.append(snippets["cpu_device"])
    return "\n".join(lines)


def render_parent(parent: NodeSummary | None) -> str:
    if parent is None:
        return _snippets()["no_parent"]
    return _templates()["parent"].substitute(
        move=parent.move,
        outcome=parent.outcome,
        speedup=_speedup(parent),
        message=clip(parent.message or "(none)", MESSAGE_LIMIT),
        correctness=_fields(parent.correctness),
        profile=_fields(parent.profile),
        config=_fields(parent.config),
        source=clip(parent.source.rstrip("\n"), SOURCE_LIMIT),
    )


def _labels(nodes: tuple[NodeSummary, ...]) -> dict[str, str]:
    """Mark the best and worst of the context nodes so Claude can contrast them."""
    if len(nodes) < 2:
        return {}
    snippets = _snippets()

    def score(node: NodeSummary) -> float:
        if node.outcome != "ok":
            return float("-inf")
        return node.speedup_vs_eager if node.speedup_vs_eager is not None else 0.0

    ranked = sorted(nodes, key=score)
    return {ranked[-1].id: snippets["label_best"], ranked[0].id: snippets["label_worst"]}


def render_memory_node(node: NodeSummary, parent: NodeSummary | None, label: str) -> str:
    snippets = _snippets()
    if parent is not None and parent.id != node.id:
        diff = "\n".join(
            difflib.unified_diff(
                parent.source.splitlines(),
                node.source.splitlines(),
                f"parent {parent.id}",
                f"node {node.id}",
                lineterm="",
                n=2,
            )
        )
        heading, lang, code = snippets["diff_heading"], "diff", clip(diff, DIFF_LIMIT)
    else:
        heading, lang, code = (
            snippets["source_heading"],
            "python",
            clip(node.source.rstrip("\n"), SOURCE_LIMIT),
        )
    return _templates()["memory_node"].substitute(
        label=label,
        id=node.id,
        move=node.move,
        outcome=node.outcome,
        speedup=_speedup(node),
        message=clip(node.message or "(none)", SHORT_MESSAGE_LIMIT).replace("\n", " "),
        profile=_fields(node.profile),
        code_heading=heading,
        code_lang=lang,
        code=code,
    )


def render_memory_context(ctx: ProposalContext) -> str:
    snippets = _snippets()
    if not ctx.memory_context:
        return snippets["no_memory_nodes"]
    labels = _labels(ctx.memory_context)
    return "\n\n".join(
        render_memory_node(node, ctx.parent, labels.get(node.id, snippets["label_other"]))
        for node in ctx.memory_context
    )


def render_knowledge(ctx: ProposalContext) -> str:
    snippets = _snippets()
    knowledge = "\n\n---\n\n".join(text.strip() for text in ctx.knowledge if text.strip())
    skills = "\n".join(
        "- " + clip(json.dumps(skill, sort_keys=True, default=str), SKILL_LIMIT)
        for skill in ctx.skills
    )
    return _templates()["knowledge"].substitute(
        knowledge=clip(knowledge, KNOWLEDGE_LIMIT) if knowledge else snippets["no_knowledge"],
        skills=skills or snippets["no_skills"],
    )


def build_prompt(ctx: ProposalContext, variant: int = 1, count: int = 1) -> Prompt:
    snippets = _snippets()
    templates = _templates()
    problem = templates["problem"].substitute(
        problem_path=ctx.problem_path,
        problem_source=clip(ctx.problem_source.rstrip("\n"), SOURCE_LIMIT),
        device=render_device(ctx.device),
        reference_profile=_fields(ctx.reference_profile, snippets["no_reference_profile"]),
    )
    guidance = snippets["memory_guidance"]
    task = (
        snippets["task_single"]
        if count <= 1
        else Template(snippets["task_variant"]).substitute(variant=variant, count=count)
    )
    node = templates["node"].substitute(
        memory=ctx.memory,
        memory_guidance=guidance.get(ctx.memory, guidance["other"]),
        parent=render_parent(ctx.parent),
        memory_context=render_memory_context(ctx),
        task=task,
    )
    return Prompt(templates["system"].template, problem, render_knowledge(ctx), node)


def to_request(prompt: Prompt) -> tuple[list[TextBlockParam], list[MessageParam]]:
    """`system` and `messages` for messages.create, with cache breakpoints on the prefix."""
    cached: CacheControlEphemeralParam = {"type": "ephemeral"}
    system: list[TextBlockParam] = [
        {"type": "text", "text": prompt.system, "cache_control": cached}
    ]
    content: list[TextBlockParam] = [
        {"type": "text", "text": prompt.problem, "cache_control": cached},
        {"type": "text", "text": prompt.knowledge, "cache_control": cached},
        {"type": "text", "text": prompt.node},
    ]
    return system, [{"role": "user", "content": content}]
