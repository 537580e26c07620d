"""cumsum / cumprod along one dim of the [outer, R, inner] view, forwards or reversed.

A program owns BLOCK_INNER columns of one `outer` and walks R in BLOCK_R
chunks: tl.cumsum/tl.cumprod inside the chunk, a running carry across chunks
(the blocked scan of Triton's associative_scan tests; attorch has no scan).
Each element is read once and written once: 2 x numel x element size bytes.
"""

from __future__ import annotations

from ..family import Family
from ..graph import Ref
from ..heuristics import row_tile_default, row_tiles
from ..patterns import copy_of, dims_of, prologue_of
from .common import TANH_HELPER, uses_tanh
from .rows import (
    empty_output,
    epilogue_lines,
    kernel_operand_args,
    kernel_operand_params,
    prologue_lines,
    row_view,
)


def render(plan, config) -> tuple[str, list[str]]:
    product = plan.op == "cumprod"
    outer, r, inner = row_view(plan.in_shape, plan.attr("dims"))
    block_r, block_inner = config["BLOCK_R"], config["BLOCK_INNER"] if inner > 1 else 1
    load = "\n".join(prologue_lines(plan, "        "))
    epilogue, value = epilogue_lines(plan, "        ", "scanned", "offs", "mask")
    neutral, scan, combine = ("1.0", "tl.cumprod", "*") if product else ("0.0", "tl.cumsum", "+")
    # the chunk total is the last prefix value; read it without a gather (a sum's is the
    # sum of the chunk, so only a product reads `last_row`: a cumsum left it unused)
    total = (
        "tl.sum(tl.where(rows[:, None] == last_row, prefix, 0.0), axis=0)"
        if product
        else "tl.sum(x, axis=0)"
    )
    if plan.attr("reverse"):  # flip(scan(flip(x))): the same scan over rows R-1 down to 0
        rows = (
            "        rows = R - 1 - (start + tl.arange(0, BLOCK_R))\n"
            "        mask = (rows[:, None] >= 0) & col_mask[None, :]"
        )
        last_row = "        last_row = tl.maximum(R - start - BLOCK_R, 0)" if product else ""
    else:
        rows = (
            "        rows = start + tl.arange(0, BLOCK_R)\n"
            "        mask = (rows[:, None] < R) & col_mask[None, :]"
        )
        last_row = "        last_row = tl.minimum(start + BLOCK_R, R) - 1" if product else ""
    kernels = (
        (TANH_HELPER if uses_tanh(plan.prologue + plan.epilogue) else "")
        + f'''
@triton.jit
def scan_kernel({kernel_operand_params(plan)}out_ptr, R, INNER, n_inner_blocks,
        BLOCK_R: tl.constexpr, BLOCK_INNER: tl.constexpr):
    """Inclusive {plan.op} over r of x[outer, r, inner] (contiguous, offset (o * R + r) * INNER + i){", from the last r" if plan.attr("reverse") else ""}."""
    pid = tl.program_id(0)
    outer = pid // n_inner_blocks
    cols = (pid % n_inner_blocks) * BLOCK_INNER + tl.arange(0, BLOCK_INNER)
    col_mask = cols < INNER
    base = outer.to(tl.int64) * R * INNER
    carry = tl.zeros([BLOCK_INNER], dtype=tl.float32) + {neutral}
    for start in range(0, R, BLOCK_R):
{rows}
        offs = base + rows[:, None] * INNER + cols[None, :]
{load}
        x = tl.where(mask, x, {neutral})
        prefix = {scan}(x, axis=0)
{last_row}
        scanned = carry[None, :] {combine} prefix
        carry = carry {combine} {total}
{chr(10).join(epilogue)}
        tl.store(out_ptr + offs, {value}, mask=mask)
'''
    )
    n_blocks = f"triton.cdiv({inner}, {block_inner})"
    forward = [
        empty_output(plan),
        (
            f"scan_kernel[({outer} * {n_blocks},)]({kernel_operand_args(plan)}out, {r}, {inner}, "
            f"{n_blocks}, BLOCK_R={block_r}, BLOCK_INNER={block_inner}, "
            f"num_warps={config['num_warps']})"
        ),
        "return out",
    ]
    return kernels, forward


# --- matching and config ------------------------------------------------------


def match(ctx, head):
    prologue, shape = prologue_of(ctx, head.args[0])
    dims = dims_of(head.arg(1, "dim"), len(shape))
    return "scan", {"dims": dims}, prologue, shape, None


def match_reverse_scan(ctx):
    """flip(cumsum(flip(x, [d]), d), [d]) (and cumprod): a scan walked from the end of
    dim d, one kernel instead of two copies around it. The output must be the outer flip;
    pointwise work on x before the first flip is the scan's prologue."""
    outer = ctx.by_name.get(ctx.output)
    if outer is None or outer.kind != "flip" or not isinstance(outer.args[0], Ref):
        return None
    scan = ctx.by_name.get(outer.args[0].name)
    if scan is None or scan.kind not in ("cumsum", "cumprod") or not isinstance(scan.args[0], Ref):
        return None
    inner = ctx.by_name.get(scan.args[0].name)
    if inner is None or inner.kind != "flip" or not isinstance(inner.args[0], Ref):
        return None
    if scan.kwargs.get("dtype") is not None:
        return None
    shape = ctx.shape_of(inner.args[0])
    rank = len(shape)
    dim = scan.arg(1, "dim") % rank
    if any(sorted(d % rank for d in op.arg(1, "dims")) != [dim] for op in (outer, inner)):
        return None
    prologue = (
        ctx.region(shape, None, inner.args[0].name)
        if inner.args[0].name not in ctx.leaves
        else copy_of(ctx, inner.args[0].name, shape)
    )
    attrs = {"dims": (dim,), "reverse": True}
    return "scan", scan.kind, shape, attrs, prologue, ()


def space(plan, device=None) -> list[dict]:
    _, r, inner = row_view(plan.in_shape, plan.attr("dims"))
    return row_tiles(r, inner, most=65536)


def default(plan, device=None) -> dict:
    _, r, inner = row_view(plan.in_shape, plan.attr("dims"))
    # Scans take 4 warps: on an H200 a cumprod's 64x64 tiles ran 1.8x faster with 4
    # than with 8 at 512x32768, 1.25x at 384x49152 (benchmarks/results/h200-2026-12-01-flywheel-cumprod-matmul).
    return row_tile_default(r, inner, space(plan, device), warps=4)


FAMILY = Family(
    name="scan",
    kinds=frozenset({"cumsum", "cumprod"}),
    match=match,
    space=space,
    default=default,
    render=render,
    spellings=(match_reverse_scan,),
)
