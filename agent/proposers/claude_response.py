"""Turn Claude's reply into a candidate module, or say precisely why not.

The reply format is set by the system prompt: one `MOVE:` line, then the whole
module in one ```python block. Anything else is a proposer failure, raised as
ProposerError so the search records it instead of evaluating garbage.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from kernelwright.agent.proposers.base import ProposerError

_FENCE = re.compile(r"```(?:python|py|python3)[ \t]*\n(.*?)```", re.DOTALL | re.IGNORECASE)
_MOVE = re.compile(r"^\s*MOVE:\s*(.+)$", re.MULTILINE)
MOVE_MAX_CHARS = 300


@dataclass(frozen=True)
class ExtractedCandidate:
    source: str
    move: str


def _defines_model_new(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.ClassDef) and node.name == "ModelNew" for node in tree.body)


def extract_candidate(text: str, stop_reason: str | None = None) -> ExtractedCandidate:
    blocks = [block.strip("\n") for block in _FENCE.findall(text)]
    if not blocks:
        hint = " (reply cut off at max_tokens)" if stop_reason == "max_tokens" else ""
        raise ProposerError(f"Claude reply has no ```python block{hint}")

    problems: list[str] = []
    # The last block that qualifies wins: models sometimes sketch before the final module.
    for block in reversed(blocks):
        try:
            tree = ast.parse(block)
        except SyntaxError as exc:
            problems.append(f"does not parse (line {exc.lineno}: {exc.msg})")
            continue
        if not _defines_model_new(tree):
            problems.append("defines no top-level class ModelNew")
            continue
        move_match = _MOVE.search(text)
        move = move_match.group(1).strip()[:MOVE_MAX_CHARS] if move_match else "rewrite"
        return ExtractedCandidate(source=block + "\n", move=move)

    hint = "; reply cut off at max_tokens" if stop_reason == "max_tokens" else ""
    raise ProposerError("Claude reply's code is unusable: " + "; ".join(problems) + hint)
