"""Runtime signals that select knowledge: what limits the kernel, how it failed, what it is.

`signals_from_result` reads a harness EvalResult dict (harness/messages.py) and,
optionally, the graph the capture job described, so the search can ask for
knowledge without knowing the vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .vocabulary import classify_error, normalise_bottleneck, op_classes_for


@dataclass(frozen=True)
class Signals:
    bottleneck: str | None = None  # "memory-bound" | "compute-bound" | "latency-bound"
    error_class: str | None = None  # from vocabulary.classify_error, e.g. "dot-shape"
    op_classes: tuple[str, ...] = ()  # "softmax", "matmul", ...
    device: str | None = None  # the device's name as reported ("NVIDIA H100 80GB HBM3", "cpu")
    dtype: str | None = None  # "float32", "bfloat16", ...

    def tags(self) -> frozenset[str]:
        """The values a document's `signals:` list is compared with."""
        return frozenset(t for t in (self.bottleneck, self.error_class) if t)

    def query_words(self) -> str:
        """Words the lexical ranking adds to the caller's query."""
        words = [*self.tags(), *self.op_classes, self.dtype or ""]
        return " ".join(w for w in words if w)


def signals_from_result(
    result: Mapping[str, Any],
    graph: Mapping[str, Any] | None = None,
    *,
    device: str | None = None,
) -> Signals:
    """Signals for one evaluation: bottleneck from its profile, error class from
    outcome + message, op classes and dtype from the captured graph.

    `device` overrides the result's device field, which is sometimes just "cuda"
    while the caller knows the device's full name.
    """
    profile = result.get("profile") or {}
    return Signals(
        bottleneck=normalise_bottleneck(profile.get("bottleneck")),
        error_class=classify_error(result.get("outcome"), _failure_text(result)),
        op_classes=op_classes_from_graph(graph) if graph else (),
        device=device or result.get("device") or None,
        dtype=_graph_dtype(graph) if graph else None,
    )


def _failure_text(result: Mapping[str, Any]) -> str:
    # The message is a summary; the log tail often holds the compiler's exact words.
    return "\n".join(str(part) for part in (result.get("message"), result.get("log_tail")) if part)


def op_classes_from_graph(graph: Mapping[str, Any]) -> tuple[str, ...]:
    """Op classes in a captured graph. Accepts the shapes a capture is likely to
    take: explicit "op_classes", or a list under "nodes"/"ops" of names or of
    dicts naming the op under "op", "target", "kind" or "name"."""
    explicit = graph.get("op_classes")
    if explicit:
        return tuple(str(o) for o in explicit)
    return op_classes_for(_op_names(graph.get("nodes") or graph.get("ops") or ()))


def _op_names(nodes: Iterable[Any]) -> Iterable[str]:
    for node in nodes:
        if isinstance(node, str):
            yield node
        elif isinstance(node, Mapping):
            for key in ("op", "target", "kind", "name"):
                if node.get(key):
                    yield str(node[key])
                    break


def _graph_dtype(graph: Mapping[str, Any]) -> str | None:
    if graph.get("dtype"):
        return _short_dtype(str(graph["dtype"]))
    for entry in graph.get("inputs") or ():
        if isinstance(entry, Mapping) and entry.get("dtype"):
            return _short_dtype(str(entry["dtype"]))
    return None


def _short_dtype(name: str) -> str:
    return name.removeprefix("torch.")
