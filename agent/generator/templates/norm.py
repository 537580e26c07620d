"""layer norm, RMS norm (ATen or written out) and group norm over [outer, R, inner] rows.

Pass 1 accumulates statistics in fp32: mean and M2 by merging per-chunk
statistics (Chan et al.'s parallel variance, as in attorch's layer_norm
kernels) so long rows do not cancel catastrophically; RMS keeps a sum of
squares. Pass 2 normalises, applies the affine parameters (per element of the
normalised shape, or per channel for group norm) and the fused epilogue.
Bytes: two reads and one write of the input, plus the affine vectors.
"""

from __future__ import annotations

import math

from ..expr import CASTS, Unsupported
from ..family import Family
from ..graph import Ref
from ..heuristics import NORM_SPLITS, device_facts, norm_split, row_tile_default, row_tiles
from ..patterns import copy_of, optional_leaf
from .common import TANH_HELPER, leaf_expr, uses_tanh
from .rows import (
    APPLY_ROW_HEADER,
    SPLIT_ROW_HEADER,
    empty_output,
    epilogue_lines,
    kernel_operand_args,
    kernel_operand_params,
    prologue_lines,
    reversed_tiles,
    split_chunk,
)


def _affine(plan) -> tuple[str, str, str]:
    """(kernel params, launch args, lines applying weight/bias to y)."""
    weight, bias, affine = plan.attr("weight"), plan.attr("bias"), plan.attr("affine")
    if affine is None:
        return "", "", ""
    if affine == "row":
        index = "rows[:, None] + cols[None, :] * 0"  # the weight of element r
    else:  # group norm: channel of element r in group g = outer % GROUPS
        per_group = plan.attr("channels") // plan.attr("groups")
        index = (
            f"(outer % {plan.attr('groups')}) * {per_group} + rows[:, None] // "
            f"{plan.attr('spatial')} + cols[None, :] * 0"
        )
    params, args, lines = "", "", [f"        affine_index = {index}"]
    if weight:
        params += "weight_ptr, "
        args += f"{leaf_expr(plan, weight)}.contiguous(), "
        lines.append(
            "        y = y * tl.load(weight_ptr + affine_index, mask=mask, other=0.0)"
            ".to(tl.float32)"
        )
    if bias:
        params += "bias_ptr, "
        args += f"{leaf_expr(plan, bias)}.contiguous(), "
        lines.append(
            "        y = y + tl.load(bias_ptr + affine_index, mask=mask, other=0.0).to(tl.float32)"
        )
    return params, args, "\n".join(lines)


def render(plan, config) -> tuple[str, list[str]]:
    outer, r, inner = plan.attr("outer"), plan.attr("R"), plan.attr("inner")
    block_r, block_inner = config["BLOCK_R"], config["BLOCK_INNER"] if inner > 1 else 1
    rms = plan.attr("stats") == "rms"
    load = "\n".join(prologue_lines(plan, "        "))
    epilogue, value = epilogue_lines(plan, "        ", "y", "offs", "mask")
    affine_params, affine_args, affine_lines = _affine(plan)
    split = config.get("SPLIT", 1)
    # Rows split over SPLIT programs walk [lo, hi); unsplit rows walk [0, R).
    lo, hi = ("lo", "hi") if split > 1 else ("0", "R")
    tile = f"""        rows = start + tl.arange(0, BLOCK_R)
        mask = (rows[:, None] < {hi}) & col_mask[None, :]
        offs = base + rows[:, None] * INNER + cols[None, :]
"""
    if rms:
        stats = f"""    sum_sq = tl.zeros([BLOCK_INNER], dtype=tl.float32)
    for start in range({lo}, {hi}, BLOCK_R):
{tile}{load}
        x = tl.where(mask, x, 0.0)
        sum_sq += tl.sum(x * x, axis=0)
"""
        finish = """    mean = tl.zeros([BLOCK_INNER], dtype=tl.float32)
    rstd = tl.rsqrt(sum_sq / R + EPS)
"""
    else:
        stats = f"""    count = 0.0
    mean = tl.zeros([BLOCK_INNER], dtype=tl.float32)
    m2 = tl.zeros([BLOCK_INNER], dtype=tl.float32)
    for start in range({lo}, {hi}, BLOCK_R):
{tile}{load}
        x = tl.where(mask, x, 0.0)
        chunk_count = tl.minimum({hi} - start, BLOCK_R).to(tl.float32)
        chunk_mean = tl.sum(x, axis=0) / chunk_count
        centred = tl.where(mask, x - chunk_mean[None, :], 0.0)
        chunk_m2 = tl.sum(centred * centred, axis=0)
        delta = chunk_mean - mean
        total = count + chunk_count
        mean = mean + delta * (chunk_count / total)
        m2 = m2 + chunk_m2 + delta * delta * (count * chunk_count / total)
        count = total
"""
        finish = """    rstd = tl.rsqrt(m2 / R + EPS)
"""
    if split > 1:
        return _render_split(
            plan,
            config,
            stats,
            tile,
            load,
            epilogue,
            value,
            (affine_params, affine_args, affine_lines),
            rms,
        )
    stats += finish
    kernels = (
        (TANH_HELPER if uses_tanh(plan.prologue + plan.epilogue) else "")
        + f'''
@triton.jit
def norm_kernel({kernel_operand_params(plan)}{affine_params}out_ptr, R, INNER, n_inner_blocks, EPS,
        BLOCK_R: tl.constexpr, BLOCK_INNER: tl.constexpr):
    """{plan.op}: normalise x[outer, r, inner] over r (contiguous, offset (o * R + r) * INNER + i).

    Two reads and one write of every element; weight/bias read once per tile.
    """
    pid = tl.program_id(0)
    outer = pid // n_inner_blocks
    cols = (pid % n_inner_blocks) * BLOCK_INNER + tl.arange(0, BLOCK_INNER)
    col_mask = cols < INNER
    base = outer.to(tl.int64) * R * INNER
{stats}{reversed_tiles("0", "R")}{tile}{load}
        y = (x - mean[None, :]) * rstd[None, :]
{affine_lines}
{chr(10).join(epilogue)}
        tl.store(out_ptr + offs, {value}, mask=mask)
'''
    )
    n_blocks = f"triton.cdiv({inner}, {block_inner})"
    forward = [
        empty_output(plan),
        (
            f"norm_kernel[({outer} * {n_blocks},)]({kernel_operand_args(plan)}{affine_args}out, "
            f"{r}, {inner}, {n_blocks}, {plan.attr('eps')!r}, BLOCK_R={block_r}, "
            f"BLOCK_INNER={block_inner}, num_warps={config['num_warps']})"
        ),
        "return out",
    ]
    return kernels, forward


def _render_split(plan, config, stats, tile, load, epilogue, value, affine, rms):
    """Few long rows (64 LayerNorm rows of 262144 elements kept 64 of 132 H100 SMs
    busy, at 24% of DRAM bandwidth): SPLIT programs per row. Kernel 1 writes each
    chunk's statistics; kernel 2 merges a row's SPLIT statistics (Chan's parallel
    variance again) and normalises its chunk. Bytes stay two reads and one write."""
    outer, r = plan.attr("outer"), plan.attr("R")
    split, block_r = config["SPLIT"], config["BLOCK_R"]
    chunk = split_chunk(r, split, block_r)
    affine_params, affine_args, affine_lines = affine
    header = SPLIT_ROW_HEADER
    if rms:
        store = "    tl.store(stats_ptr + pid * 3, tl.sum(sum_sq, axis=0))\n"
        merge = """    sum_sq = tl.sum(tl.load(stats_ptr + parts * 3), axis=0)
    mean = tl.zeros([BLOCK_INNER], dtype=tl.float32)
    rstd = mean + tl.rsqrt(sum_sq / R + EPS)
"""
    else:
        store = """    tl.store(stats_ptr + pid * 3, count)
    tl.store(stats_ptr + pid * 3 + 1, tl.sum(mean, axis=0))
    tl.store(stats_ptr + pid * 3 + 2, tl.sum(m2, axis=0))
"""
        merge = """    counts = tl.load(stats_ptr + parts * 3)
    means = tl.load(stats_ptr + parts * 3 + 1)
    m2s = tl.load(stats_ptr + parts * 3 + 2)
    row_mean = tl.sum(counts * means, axis=0) / tl.sum(counts, axis=0)
    spread = means - row_mean
    row_m2 = tl.sum(m2s, axis=0) + tl.sum(counts * spread * spread, axis=0)
    mean = tl.zeros([BLOCK_INNER], dtype=tl.float32) + row_mean
    rstd = tl.zeros([BLOCK_INNER], dtype=tl.float32) + tl.rsqrt(row_m2 / R + EPS)
"""
    kernels = (
        (TANH_HELPER if uses_tanh(plan.prologue + plan.epilogue) else "")
        + f'''
@triton.jit
def norm_stats_kernel({kernel_operand_params(plan)}stats_ptr, R, INNER, CHUNK,
        SPLIT: tl.constexpr, BLOCK_R: tl.constexpr, BLOCK_INNER: tl.constexpr):
    """{plan.op}, part 1 of 2: statistics of rows [lo, hi) of one row's SPLIT chunks."""
{header}{stats}{store}

@triton.jit
def norm_apply_kernel({kernel_operand_params(plan)}{affine_params}stats_ptr, out_ptr, R, INNER,
        CHUNK, EPS, SPLIT: tl.constexpr, BLOCK_R: tl.constexpr, BLOCK_INNER: tl.constexpr):
    """{plan.op}, part 2 of 2: merge the row's statistics, normalise chunk [lo, hi)."""
{APPLY_ROW_HEADER}    parts = outer * SPLIT + tl.arange(0, SPLIT)
{merge}{reversed_tiles("lo", "hi")}{tile}{load}
        y = (x - mean[None, :]) * rstd[None, :]
{affine_lines}
{chr(10).join(epilogue)}
        tl.store(out_ptr + offs, {value}, mask=mask)
'''
    )
    meta = f"SPLIT={split}, BLOCK_R={block_r}, BLOCK_INNER=1, num_warps={config['num_warps']}"
    forward = [
        f"stats = torch.empty(({outer * split * 3},), device={plan.inputs[0][0]}.device, "
        "dtype=torch.float32)",
        f"norm_stats_kernel[({outer * split},)]({kernel_operand_args(plan)}stats, {r}, 1, "
        f"{chunk}, {meta})",
        empty_output(plan),
        f"norm_apply_kernel[({outer * split},)]({kernel_operand_args(plan)}{affine_args}"
        f"stats, out, {r}, 1, {chunk}, {plan.attr('eps')!r}, {meta})",
        "return out",
    ]
    return kernels, forward


# --- matching -----------------------------------------------------------------


def match(ctx, head):
    if head.kind == "instance_norm":
        return instance_norm_head(ctx, head)
    return norm_head(ctx, head)


def norm_head(ctx, head):
    x = head.args[0]
    shape = ctx.shape_of(x)
    prologue = copy_of(ctx, x.name, shape)
    numel = math.prod(shape)
    if head.kind == "channel_layer_norm":  # rewrites.py: _layer_norm_between_permutes
        dim, _, weight, bias, eps = head.args[1:6]
        weight, bias = optional_leaf(ctx, weight), optional_leaf(ctx, bias)
        attrs = {
            "outer": math.prod(shape[:dim]),
            "R": shape[dim],
            "inner": math.prod(shape[dim + 1 :]),
            "stats": "meanvar",
            "eps": float(eps),
            "weight": weight,
            "bias": bias,
            "affine": "row" if weight or bias else None,
            "op": "layer_norm",
        }
        return "norm", attrs, prologue, shape, None
    if head.kind in ("layer_norm", "rms_norm"):
        normalized = head.arg(1, "normalized_shape")
        width = math.prod(normalized)
        weight = optional_leaf(ctx, head.arg(2, "weight"))
        if head.kind == "layer_norm":
            bias, eps, stats = (
                optional_leaf(ctx, head.arg(3, "bias")),
                head.arg(4, "eps", 1e-5),
                "meanvar",
            )
        else:
            bias, eps, stats = None, head.arg(3, "eps"), "rms"
        if eps is None:  # torch.rms_norm's default: the dtype's machine epsilon
            eps = {
                "float32": 1.1920928955078125e-07,
                "float16": 0.0009765625,
                "bfloat16": 0.0078125,
            }[ctx.leaves[x.name]["dtype"] if x.name in ctx.leaves else "float32"]
        attrs = {
            "outer": numel // width,
            "R": width,
            "inner": 1,
            "stats": stats,
            "eps": float(eps),
            "weight": weight,
            "bias": bias,
            "affine": "row" if weight or bias else None,
        }
        return "norm", attrs, prologue, shape, None
    groups = int(head.arg(1, "num_groups"))
    channels = shape[1]
    spatial = math.prod(shape[2:])
    attrs = {
        "outer": shape[0] * groups,
        "R": channels // groups * spatial,
        "inner": 1,
        "stats": "meanvar",
        "eps": float(head.arg(4, "eps", 1e-5)),
        "weight": optional_leaf(ctx, head.arg(2, "weight")),
        "bias": optional_leaf(ctx, head.arg(3, "bias")),
        "affine": "channel",
        "groups": groups,
        "channels": channels,
        "spatial": spatial,
    }
    return "norm", attrs, prologue, shape, None


def instance_norm_head(ctx, head):
    """aten.instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
    momentum, eps, cudnn_enabled): with the input's statistics it is group norm with one
    channel per group, and the same per-channel affine."""
    if not head.arg(5, "use_input_stats", True):
        raise Unsupported(
            "instance norm from running statistics (track_running_stats in eval mode)"
        )
    x = head.args[0]
    shape = ctx.shape_of(x)
    channels, spatial = shape[1], math.prod(shape[2:])
    attrs = {
        "outer": shape[0] * channels,
        "R": spatial,
        "inner": 1,
        "stats": "meanvar",
        "eps": float(head.arg(7, "eps", 1e-5)),
        "weight": optional_leaf(ctx, head.arg(1, "weight")),
        "bias": optional_leaf(ctx, head.arg(2, "bias")),
        "groups": channels,
        "channels": channels,
        "spatial": spatial,
        "op": "instance_norm",
    }
    attrs["affine"] = "channel" if attrs["weight"] or attrs["bias"] else None
    return "norm", attrs, copy_of(ctx, x.name, shape), shape, None


def _square_of(ctx, arg):
    """The leaf x when `arg` is x**2, x*x or square(x)."""
    op = ctx.by_name.get(arg.name) if isinstance(arg, Ref) else None
    if op is None:
        return None
    if op.kind == "pow" and op.arg(1) in (2, 2.0):
        return op.args[0]
    if op.kind == "mul" and op.args[0] == op.args[1]:
        return op.args[0]
    if op.kind == "square":
        return op.args[0]
    return None


def _widened(ctx, x) -> str | None:
    """The value `x` is, or whose float32 cast it is: LLaMA's and T5's RMSNorm square
    `hidden_states.to(torch.float32)` of a half-precision input. The kernel widens
    every load to float32 itself, so the cast costs nothing there."""
    if not isinstance(x, Ref):
        return None
    op = ctx.by_name.get(x.name)
    if op is None or op.kind not in CASTS or op.dtype != "float32" or not op.args:
        return x.name
    source = op.args[0]
    return source.name if isinstance(source, Ref) else x.name


def match_rms_norm(ctx):
    """x / sqrt(mean(x², dims, keepdim) + eps) or x * rsqrt(...), then any epilogue; x a
    model input or the pointwise work on inputs before it (a residual add: the prologue)."""
    for op in ctx.ops:
        if op.kind not in ("div", "mul") or len(op.args) < 2 or not isinstance(op.args[1], Ref):
            continue
        x, denom = op.args[0], ctx.by_name.get(op.args[1].name)
        value = _widened(ctx, x)
        if value is None or denom is None:
            continue
        if (op.kind, denom.kind) not in (("div", "sqrt"), ("mul", "rsqrt")):
            continue
        added = ctx.by_name.get(denom.args[0].name) if isinstance(denom.args[0], Ref) else None
        if added is None or added.kind != "add" or isinstance(added.args[1], Ref):
            continue
        mean = ctx.by_name.get(added.args[0].name) if isinstance(added.args[0], Ref) else None
        if mean is None or mean.kind != "mean" or not mean.arg(2, "keepdim", False):
            continue
        if _widened(ctx, _square_of(ctx, mean.args[0])) != value:
            continue
        shape = tuple(ctx.shape_of(Ref(value)))
        dims = mean.arg(1, "dim")
        dims = sorted(d % len(shape) for d in (dims if isinstance(dims, list) else [dims]))
        if dims != list(range(dims[0], dims[-1] + 1)):
            continue
        kept = len(ctx.operands)
        try:  # a computed x: the pointwise region computing it, or no match
            prologue = copy_of(ctx, value, shape)
        except Unsupported:
            del ctx.operands[kept:]  # what the region read before it gave up
            continue
        attrs = {
            "outer": math.prod(shape[: dims[0]]),
            "R": math.prod(shape[dims[0] : dims[-1] + 1]),
            "inner": math.prod(shape[dims[-1] + 1 :]),
            "stats": "rms",
            "eps": float(added.args[1]),
            "weight": None,
            "bias": None,
            "affine": None,
        }
        if tuple(op.shape) != ctx.out_shape:
            raise Unsupported("RMS norm followed by a shape change")
        epilogue = ctx.region(ctx.out_shape, op.name, ctx.output)
        return "norm", "rms_norm", shape, attrs, prologue, epilogue
    return None


# --- config -------------------------------------------------------------------


def space(plan, device=None) -> list[dict]:
    tiles = row_tiles(plan.attr("R"), plan.attr("inner"), most=65536)
    if plan.attr("inner") == 1:
        return [{**c, "SPLIT": s} for c in tiles for s in NORM_SPLITS]
    return tiles


def default(plan, device=None) -> dict:
    outer, r, inner = plan.attr("outer"), plan.attr("R"), plan.attr("inner")
    config = row_tile_default(r, inner, space(plan, device))
    if inner == 1:
        config["SPLIT"] = norm_split(outer, r, device_facts(device).sm_count)
    return config


FAMILY = Family(
    name="norm",
    kinds=frozenset(
        {"layer_norm", "channel_layer_norm", "group_norm", "rms_norm", "instance_norm"}
    ),
    match=match,
    space=space,
    default=default,
    render=render,
    spellings=(match_rms_norm,),
)
