"""Pick the knowledge a prompt should carry, within a token budget.

Order, as in KernelEvolve's hierarchical knowledge base:
1. correctness documents, always (they state the contract a candidate is judged by);
2. documents whose signals match: the error class first (the candidate cannot
   improve until it compiles and is right), then the bottleneck, the device's
   hardware page, op-class patterns and matching skills;
3. the rest by lexical (BM25) relevance to the query plus the signal words.
Each stage fills the remaining budget greedily, skipping a document too big
for what is left so a smaller, later one can still fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .document import CORRECTNESS, HARDWARE, SKILL, Document
from .index import KnowledgeIndex
from .lexical import BM25
from .signals import Signals
from .vocabulary import device_matches

# Relative weight of each kind of match: an error that blocks progress outranks
# everything; then the device's own page (its limits decide which configs even
# fit); then the bottleneck, then op-class patterns. A skill matching op, device
# and bottleneck outranks the bare hardware page, as it should.
ERROR_WEIGHT = 20
DEVICE_WEIGHT = 7
BOTTLENECK_WEIGHT = 4
OP_WEIGHT = 2
DTYPE_WEIGHT = 1


def retrieve(
    signals: Signals,
    budget_tokens: int,
    query: str = "",
    *,
    index: KnowledgeIndex | None = None,
    workspace: Path | str | None = None,
) -> list[Document]:
    """Documents for a prompt, most important first.

    Correctness documents are always included, even past a budget too small to
    hold them; every other document fits within `budget_tokens` in total.
    """
    if index is None:
        index = KnowledgeIndex.load(workspace=workspace if workspace is not None else Path.cwd())
    eligible = [d for d in index.documents if _applies_to_device(d, signals.device)]

    chosen = [d for d in eligible if d.tier == CORRECTNESS]
    spent = sum(d.tokens for d in chosen)
    remaining = [d for d in eligible if d.tier != CORRECTNESS]

    lexical = BM25(remaining)
    relevance = dict(
        zip((d.id for d in remaining), lexical.scores(f"{query} {signals.query_words()}"))
    )

    matched = [(signal_score(d, signals), d) for d in remaining]
    matched = [(score, d) for score, d in matched if score > 0]
    matched.sort(key=lambda pair: (-pair[0], -relevance[pair[1].id], pair[1].id))
    spent = _fill(chosen, [d for _, d in matched], spent, budget_tokens)

    # A hardware page for an unknown device, or a skill for another op class, enters
    # only when the caller's own words ask for it; signal words like "memory" would
    # otherwise pull in every page.
    asked = dict(zip((d.id for d in remaining), lexical.scores(query))) if query.strip() else {}
    taken = {d.id for d in chosen}
    by_relevance = sorted(
        (
            d
            for d in remaining
            if d.id not in taken
            and relevance[d.id] > 0
            and (d.tier not in (HARDWARE, SKILL) or asked.get(d.id, 0) > 0)
        ),
        key=lambda d: (-relevance[d.id], d.id),
    )
    _fill(chosen, by_relevance, spent, budget_tokens)
    return chosen


def signal_score(doc: Document, signals: Signals) -> int:
    """How strongly a document's tags match the signals (0: no match)."""
    score = 0
    if signals.error_class and signals.error_class in doc.signals:
        score += ERROR_WEIGHT
    if signals.bottleneck and signals.bottleneck in doc.signals:
        score += BOTTLENECK_WEIGHT
    if doc.devices and device_matches(doc.devices, signals.device):
        score += DEVICE_WEIGHT
    if set(doc.ops) & set(signals.op_classes):
        score += OP_WEIGHT
    elif doc.tier == SKILL:
        return 0  # a skill for another op class is noise, whatever else matches
    if score and signals.dtype and signals.dtype in doc.dtypes:
        score += DTYPE_WEIGHT
    return score


def _applies_to_device(doc: Document, device: str | None) -> bool:
    # Hardware pages and skills for another device would mislead; with no device
    # known they stay eligible for the lexical stage only (signal_score is 0).
    if doc.tier not in (HARDWARE, SKILL) or not device:
        return True
    return device_matches(doc.devices, device) or (doc.tier == SKILL and not doc.devices)


def _fill(chosen: list[Document], candidates: Sequence[Document], spent: int, budget: int) -> int:
    taken = {d.id for d in chosen}
    for doc in candidates:
        if doc.id in taken or spent + doc.tokens > budget:
            continue
        chosen.append(doc)
        taken.add(doc.id)
        spent += doc.tokens
    return spent


def render(documents: Sequence[Document]) -> tuple[str, ...]:
    """Prompt texts for ProposalContext.knowledge."""
    return tuple(d.prompt_text() for d in documents)
