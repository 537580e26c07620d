"""Shape regimes: sizes bucketed by powers of two, and how close two shapes are.

A kernel's best configuration changes with the order of magnitude of its
dimensions (a 128-wide row and a 4096-wide row want different block sizes),
not with small differences, so skills are matched on log2 distance.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

Shape = Mapping[str, int] | Sequence[int]

_SUFFIXES = ((1 << 30, "G"), (1 << 20, "M"), (1 << 10, "k"))


def bucket(size: int) -> int:
    """The nearest power of two (in log space) to `size`."""
    if size <= 1:
        return max(int(size), 0)
    return 1 << round(math.log2(size))


def format_size(size: int) -> str:
    for scale, suffix in _SUFFIXES:
        if size >= scale and size % scale == 0:
            return f"{size // scale}{suffix}"
    return str(size)


def regime_label(shape: Shape) -> str:
    """ "rows≈4k, cols≈4k" for named dimensions, "≈4k×4k" for positional ones."""
    if isinstance(shape, Mapping):
        return ", ".join(f"{name}≈{format_size(bucket(int(v)))}" for name, v in shape.items())
    return "≈" + "×".join(format_size(bucket(int(v))) for v in shape)


def normalise_shape(shape: Shape) -> dict[str, int] | list[int]:
    """A JSON-friendly copy (the form stored in skill files)."""
    if isinstance(shape, Mapping):
        return {str(k): int(v) for k, v in shape.items()}
    return [int(v) for v in shape]


def similarity(a: Shape, b: Shape) -> float:
    """1.0 for shapes in the same regime, falling towards 0 with log2 distance.

    Dimensions are compared by name when both shapes name the same dimensions,
    by position when they have the same rank; otherwise only total sizes are
    compared, at half weight, since the layouts may not correspond.
    """
    pairs: list[tuple[int, int]] | None = None
    if isinstance(a, Mapping) and isinstance(b, Mapping) and set(a) == set(b):
        pairs = [(int(a[k]), int(b[k])) for k in a]
    elif not isinstance(a, Mapping) and not isinstance(b, Mapping) and len(a) == len(b):
        pairs = list(zip((int(v) for v in a), (int(v) for v in b)))
    if pairs:
        distance = sum(abs(_log2(x) - _log2(y)) for x, y in pairs) / len(pairs)
        return 1.0 / (1.0 + distance)
    distance = abs(_log2(_numel(a)) - _log2(_numel(b)))
    return 0.5 / (1.0 + distance)


def _numel(shape: Shape) -> int:
    values = shape.values() if isinstance(shape, Mapping) else shape
    return math.prod(max(int(v), 1) for v in values) if values else 1


def _log2(value: int) -> float:
    return math.log2(max(value, 1))
