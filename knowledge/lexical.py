"""Okapi BM25 over documents, standard library only.

BM25 rather than plain TF-IDF because documents differ a lot in length (a
one-paragraph team note next to a long hardware page) and BM25's length
normalisation keeps long documents from winning on volume alone.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from .document import Document

# Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond" (2009):
# the usual defaults.
K1 = 1.2
B = 0.75
# Title and tags describe the whole document, so each of their words counts this many times.
TITLE_WEIGHT = 3

_WORD = re.compile(r"[a-z0-9]+")


def tokenize(text: str) -> list[str]:
    """Lowercase words; "num_warps" gives "num", "warps" and "num_warps"."""
    lowered = text.lower()
    words = _WORD.findall(lowered)
    joined = re.findall(r"[a-z0-9]+(?:[_-][a-z0-9]+)+", lowered)
    return words + [w.replace("-", "_") for w in joined]


def _document_terms(doc: Document) -> Counter[str]:
    heading = " ".join([doc.title, doc.id, *doc.signals, *doc.ops, *doc.devices, *doc.dtypes])
    terms = Counter(tokenize(doc.body))
    for term in tokenize(heading):
        terms[term] += TITLE_WEIGHT
    return terms


class BM25:
    def __init__(self, documents: Sequence[Document]):
        self.documents = list(documents)
        self._terms = [_document_terms(d) for d in self.documents]
        self._lengths = [sum(t.values()) for t in self._terms]
        self._average_length = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0
        frequency: Counter[str] = Counter()
        for terms in self._terms:
            frequency.update(terms.keys())
        count = len(self.documents)
        # The "+1" form of IDF stays positive for terms found in most documents.
        self._idf = {t: math.log(1 + (count - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}

    def scores(self, query: str) -> list[float]:
        query_terms = set(tokenize(query))
        results = []
        for terms, length in zip(self._terms, self._lengths):
            score = 0.0
            for term in query_terms:
                tf = terms.get(term, 0)
                if tf:
                    norm = K1 * (1 - B + B * length / (self._average_length or 1))
                    score += self._idf[term] * tf * (K1 + 1) / (tf + norm)
            results.append(score)
        return results

    def rank(self, query: str, limit: int | None = None) -> list[tuple[Document, float]]:
        """Documents with a positive score, best first (ties keep id order)."""
        scored = [(d, s) for d, s in zip(self.documents, self.scores(query)) if s > 0]
        scored.sort(key=lambda pair: (-pair[1], pair[0].id))
        return scored[:limit] if limit is not None else scored
