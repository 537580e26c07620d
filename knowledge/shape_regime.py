"""Shape regimes: sizes bucketed by powers of two, and how close two shapes are.

A kernel's best configuration changes with the order of magnitude of its
dimensions (a 128-wide row and a 4096-wide row want different block sizes),
not with small differences, so skills are matched on log2 distance.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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


# --- regimes: where a shape sits against the device ---------------------------
# A config's fate on a row-wise kernel turns on a few thresholds, not on the
# sizes themselves (issue 22: a one-block softmax config learnt on 8192-wide rows
# lost to the default's two streaming passes on 49152-wide rows). Two shapes are
# in the same regime when they sit on the same side of each of them.

# Rows per SM that fill the device: under one, programs are fewer than SMs (the
# generator splits long rows); from ROWS_PER_SM_MANY, several short rows share a
# program (agent/generator/heuristics.py: rows_per_program keeps 4 per SM).
ROWS_PER_SM_MANY = 4
# Rows further apart in length than this are another regime whatever the thresholds
# say: a skill's block sizes were chosen for its rows (a 1024-wide RMSNorm's one-tile
# BLOCK_R walks a 16384-wide row in sixteen tiles).
ROW_SPREAD = 4
# How much a differing threshold weighs against log2 distance in `closeness`:
# crossing one is worse than being 4× apart on the same side.
THRESHOLD_WEIGHT = 2.0


@dataclass(frozen=True)
class RegimeFacts:
    """A problem's first input seen as rows (its last dim) on a device.

    `block_elements` is the longest row one block holds in registers (the
    generator's row_block_limit for the dtype); the device's facts come from
    the device (harness/peaks.py), or are the generator's H100/H200 fallback.
    `inner` is how far apart a row's elements lie (1: contiguous; a sum over dim 1
    of [B, N, M] has rows of N elements M apart). Facts written before it was kept
    read as contiguous.
    """

    row: int  # elements per row (the last dim)
    rows: int  # every other dim, multiplied
    element_bytes: int
    block_elements: int
    sm_count: int
    shared_memory_per_block: int
    l2_bytes: int
    inner: int = 1

    @property
    def row_bytes(self) -> int:
        return self.row * self.element_bytes

    @property
    def total_bytes(self) -> int:
        return self.row_bytes * self.rows

    @property
    def rows_per_sm(self) -> float:
        return self.rows / max(self.sm_count, 1)

    def sides(self) -> dict[str, str]:
        """Which side of each threshold the shape is on, as words."""
        if self.rows_per_sm < 1:
            rows = "fewer rows than SMs"
        elif self.rows_per_sm < ROWS_PER_SM_MANY:
            rows = f"1-{ROWS_PER_SM_MANY} rows per SM"
        else:
            rows = f"{ROWS_PER_SM_MANY}+ rows per SM"
        return {
            "row vs block": (
                "a row fits one block"
                if self.row <= self.block_elements
                else "a row takes several blocks"
            ),
            "rows per SM": rows,
            "row vs shared memory": (
                "a row fits shared memory"
                if self.row_bytes <= self.shared_memory_per_block
                else "a row exceeds shared memory"
            ),
            "tensor vs L2": (
                "the tensor fits L2"
                if self.total_bytes <= self.l2_bytes
                else "the tensor exceeds L2"
            ),
            # A strided row's kernel tiles rows by columns (BLOCK_R × BLOCK_INNER); a
            # contiguous row's walks it alone. A strided sum's 64-row tiles, fitted to a
            # contiguous logsumexp's 8191-wide rows, walked them 64 elements at a time:
            # 0.93 ms against 0.086 ms on an H200 (its skill went first, being "the same
            # regime"; benchmarks/results/h200-2026-12-05-one-comparison-kernel).
            "row layout": (
                "a row's elements are contiguous"
                if self.inner <= 1
                else "a row's elements are strided"
            ),
        }

    def to_dict(self) -> dict[str, int]:
        return {f: int(getattr(self, f)) for f in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RegimeFacts | None:
        try:
            return cls(
                **{f: int(data[f]) for f in cls.__dataclass_fields__ if f != "inner"},
                inner=int(data.get("inner", 1)),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def describe(self) -> str:
        """ "rows of 8192 (one block), 62 rows per SM" """
        block = "one block" if self.row <= self.block_elements else "several blocks"
        if self.inner > 1:
            block += f", elements {self.inner} apart"
        return (
            f"rows of {self.row} ({block}), {self.rows_per_sm:.3g} rows per SM, "
            f"{format_bytes(self.row_bytes)} per row, {format_bytes(self.total_bytes)} in all"
        )


@dataclass(frozen=True)
class Closeness:
    """How close a skill's regime is to a problem's: `score` in (0, 1], whether
    every threshold falls on the same side (`same_regime`), and why, in words."""

    score: float
    same_regime: bool
    why: str


def closeness(problem: RegimeFacts, skill: RegimeFacts) -> Closeness:
    """log2 distance of row length and rows per SM, plus THRESHOLD_WEIGHT for each
    threshold the two shapes sit on different sides of (rows more than ROW_SPREAD
    apart in length count as one)."""
    ours, theirs = problem.sides(), skill.sides()
    reasons = [
        f"{ours[name]} here, {theirs[name]} in the skill's"
        for name in ours
        if ours[name] != theirs[name]
    ]
    spread = max(problem.row, skill.row) / max(min(problem.row, skill.row), 1)
    if spread > ROW_SPREAD:
        longer = "longer" if problem.row > skill.row else "shorter"
        reasons.append(f"rows {spread:.3g}× {longer} here than in the skill's")
    distance = abs(_log2(problem.row) - _log2(skill.row)) + abs(
        math.log2(max(problem.rows_per_sm, 1e-3)) - math.log2(max(skill.rows_per_sm, 1e-3))
    )
    score = 1.0 / (1.0 + distance / 2 + THRESHOLD_WEIGHT * len(reasons))
    if reasons:
        why = "another regime: " + "; ".join(reasons)
    else:
        why = "same regime: " + ", ".join(ours.values())
    why += f" (here {problem.describe()}; skill's {skill.describe()})"
    return Closeness(score=score, same_regime=not reasons, why=why)


def regime_key(shape: Shape, dtype: str, device: str) -> str:
    """What a "not applying" mark names: shape bucket, dtype and device tag."""
    return f"{regime_label(shape)} | {dtype} | {device}"


def format_bytes(size: int) -> str:
    for scale, suffix in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if size >= scale:
            return f"{size / scale:.3g} {suffix}"
    return f"{size} B"
