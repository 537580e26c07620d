"""Hierarchical knowledge base: shipped markdown documents in tiers (correctness,
guidance, hardware), workspace and team folders, and skills written back after
successful searches, retrieved by runtime signals within a token budget.

Entry points: `retrieve` (documents for a prompt), `signals_from_result`
(signals from a harness EvalResult dict), `write_skill` / `find_skills`, and
`cli.add_arguments` / `cli.run` for `kernelwright kb`.
"""

from .document import Document, estimate_tokens
from .frontmatter import KnowledgeError
from .index import KnowledgeIndex
from .retrieval import render, retrieve
from .signals import Signals, signals_from_result
from .skills import Skill, find_skills, write_skill

__all__ = [
    "Document",
    "KnowledgeError",
    "KnowledgeIndex",
    "Signals",
    "Skill",
    "estimate_tokens",
    "find_skills",
    "render",
    "retrieve",
    "signals_from_result",
    "write_skill",
]
