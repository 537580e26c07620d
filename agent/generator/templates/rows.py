"""The [outer, R, inner] view shared by reductions, scans and softmax.

Reducing dims [d0..d1] of a contiguous tensor leaves outer = prod(dims before),
R = prod(reduced dims), inner = prod(dims after); element (o, r, i) sits at
flat index (o * R + r) * inner + i. A program owns one `outer` and BLOCK_INNER
adjacent `inner` columns (coalesced when inner > 1) and walks R in BLOCK_R
chunks, so any reduction dim is served without a transpose copy.
"""

from __future__ import annotations

import math

from .common import emit_region, operand_launch_args, operand_params, region_operands


def row_view(shape: tuple, dims: tuple) -> tuple[int, int, int]:
    if not shape:
        return 1, 1, 1
    first, last = dims[0], dims[-1]
    return (
        math.prod(shape[:first]),
        math.prod(shape[first : last + 1]),
        math.prod(shape[last + 1 :]),
    )


def prologue_lines(
    plan, indent: str, offs: str = "offs", mask: str = "mask", into: str = "x"
) -> list[str]:
    """Load the core op's input at `offs`: the prologue region over the model's inputs."""
    lines, result = emit_region(plan.prologue, plan.operands, offs, mask, None, prefix="p")
    return [indent + line for line in lines] + [f"{indent}{into} = {result}"]


def epilogue_lines(plan, indent: str, head: str, offs: str, mask: str) -> tuple[list[str], str]:
    lines, result = emit_region(plan.epilogue, plan.operands, offs, mask, head, prefix="e")
    assert result is not None  # given a head, the region's result is at least the head
    return [indent + line for line in lines], result


def all_operand_indices(plan) -> list[int]:
    return sorted(set(region_operands(plan.prologue)) | set(region_operands(plan.epilogue)))


def kernel_operand_params(plan) -> str:
    return operand_params(all_operand_indices(plan))


def kernel_operand_args(plan) -> str:
    return operand_launch_args(plan, all_operand_indices(plan))


def empty_output(plan, dtype: str | None = None) -> str:
    dtype = dtype or plan.out_dtype
    return (
        f"out = torch.empty({tuple(plan.out_shape)!r}, device={plan.inputs[0][0]}.device, "
        f"dtype=torch.{dtype})"
    )


# A row split over SPLIT programs (norm and softmax on few, long rows): program
# `pid` owns chunk `part` of row `outer`, rows [lo, hi) of the [outer, R, 1] view.
SPLIT_ROW_HEADER = """    pid = tl.program_id(0)
    outer = pid // SPLIT
    part = pid % SPLIT
    cols = tl.arange(0, BLOCK_INNER)
    col_mask = cols < INNER
    base = outer.to(tl.int64) * R * INNER
    lo = part * CHUNK
    hi = tl.minimum(lo + CHUNK, R)
"""


def split_chunk(r: int, split: int, block_r: int) -> int:
    """Rows per chunk: R / SPLIT rounded up to whole BLOCK_R tiles."""
    return max(-(-r // split // block_r) * block_r, block_r)


# Second passes walk backwards. A two-pass kernel's first pass ends on the last
# programs' chunks and on each chunk's tail, which are the bytes still in L2 (50 MB
# on H100/H200); starting the second pass there reads them from L2 instead of DRAM.
APPLY_ROW_HEADER = SPLIT_ROW_HEADER.replace(
    "pid = tl.program_id(0)", "pid = tl.num_programs(0) - 1 - tl.program_id(0)"
)


def reversed_tiles(lo: str, hi: str, indent: str = "    ") -> str:
    """Loop header visiting the BLOCK_R tiles of rows [lo, hi) last tile first."""
    return (
        f"{indent}n_tiles = tl.cdiv({hi} - {lo}, BLOCK_R)\n"
        f"{indent}for step in range(0, n_tiles):\n"
        f"{indent}    start = {lo} + (n_tiles - 1 - step) * BLOCK_R\n"
    )
