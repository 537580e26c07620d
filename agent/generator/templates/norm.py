"""layer norm, RMS norm (ATen or written out) and group norm over [outer, R, inner] rows.

Pass 1 accumulates statistics in fp32: mean and M2 by merging per-chunk
statistics (Chan et al.'s parallel variance, as in attorch's layer_norm
kernels) so long rows do not cancel catastrophically; RMS keeps a sum of
squares. Pass 2 normalises, applies the affine parameters (per element of the
normalised shape, or per channel for group norm) and the fused epilogue.
Bytes: two reads and one write of the input, plus the affine vectors.
"""

from __future__ import annotations

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
        index = "rows[:, None] * INNER + cols[None, :] * 0"
    else:  # group norm: channel of element r in group g = outer % GROUPS
        per_group = plan.attr("channels") // plan.attr("groups")
        index = (f"(outer % {plan.attr('groups')}) * {per_group} + rows[:, None] // "
                 f"{plan.attr('spatial')} + cols[None, :] * 0")
    params, args, lines = "", "", [f"        affine_index = {index}"]
    if weight:
        params += "weight_ptr, "
        args += f"{leaf_expr(plan, weight)}.contiguous(), "
        lines.append("        y = y * tl.load(weight_ptr + affine_index, mask=mask, other=0.0)"
                     ".to(tl.float32)")
    if bias:
        params += "bias_ptr, "
        args += f"{leaf_expr(plan, bias)}.contiguous(), "
        lines.append("        y = y + tl.load(bias_ptr + affine_index, mask=mask, other=0.0)"
                     ".to(tl.float32)")
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
    tile = f'''        rows = start + tl.arange(0, BLOCK_R)
        mask = (rows[:, None] < {hi}) & col_mask[None, :]
        offs = base + rows[:, None] * INNER + cols[None, :]
'''
    if rms:
        stats = f'''    sum_sq = tl.zeros([BLOCK_INNER], dtype=tl.float32)
    for start in range({lo}, {hi}, BLOCK_R):
{tile}{load}
        x = tl.where(mask, x, 0.0)
        sum_sq += tl.sum(x * x, axis=0)
'''
        finish = '''    mean = tl.zeros([BLOCK_INNER], dtype=tl.float32)
    rstd = tl.rsqrt(sum_sq / R + EPS)
'''
    else:
        stats = f'''    count = 0.0
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
'''
        finish = '''    rstd = tl.rsqrt(m2 / R + EPS)
'''
    if split > 1:
        return _render_split(plan, config, stats, tile, load, epilogue, value,
                             (affine_params, affine_args, affine_lines), rms)
    stats += finish
    kernels = (TANH_HELPER if uses_tanh(plan.prologue + plan.epilogue) else "") + f'''
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
    n_blocks = f"triton.cdiv({inner}, {block_inner})"
    forward = [empty_output(plan),
               (f"norm_kernel[({outer} * {n_blocks},)]({kernel_operand_args(plan)}{affine_args}out, "
               f"{r}, {inner}, {n_blocks}, {plan.attr('eps')!r}, BLOCK_R={block_r}, "
               f"BLOCK_INNER={block_inner}, num_warps={config['num_warps']})"),
               "return out"]
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
        merge = '''    sum_sq = tl.sum(tl.load(stats_ptr + parts * 3), axis=0)
    mean = tl.zeros([BLOCK_INNER], dtype=tl.float32)
    rstd = mean + tl.rsqrt(sum_sq / R + EPS)
'''
    else:
        store = '''    tl.store(stats_ptr + pid * 3, count)
    tl.store(stats_ptr + pid * 3 + 1, tl.sum(mean, axis=0))
    tl.store(stats_ptr + pid * 3 + 2, tl.sum(m2, axis=0))
'''
        merge = '''    counts = tl.load(stats_ptr + parts * 3)
    means = tl.load(stats_ptr + parts * 3 + 1)
    m2s = tl.load(stats_ptr + parts * 3 + 2)
    row_mean = tl.sum(counts * means, axis=0) / tl.sum(counts, axis=0)
    spread = means - row_mean
    row_m2 = tl.sum(m2s, axis=0) + tl.sum(counts * spread * spread, axis=0)
    mean = tl.zeros([BLOCK_INNER], dtype=tl.float32) + row_mean
    rstd = tl.zeros([BLOCK_INNER], dtype=tl.float32) + tl.rsqrt(row_m2 / R + EPS)
'''
    kernels = (TANH_HELPER if uses_tanh(plan.prologue + plan.epilogue) else "") + f'''
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
    meta = f"SPLIT={split}, BLOCK_R={block_r}, BLOCK_INNER=1, num_warps={config['num_warps']}"
    forward = [f"stats = torch.empty(({outer * split * 3},), device={plan.inputs[0][0]}.device, "
               "dtype=torch.float32)",
               f"norm_stats_kernel[({outer * split},)]({kernel_operand_args(plan)}stats, {r}, 1, "
               f"{chunk}, {meta})",
               empty_output(plan),
               f"norm_apply_kernel[({outer * split},)]({kernel_operand_args(plan)}{affine_args}"
               f"stats, out, {r}, 1, {chunk}, {plan.attr('eps')!r}, {meta})",
               "return out"]
    return kernels, forward
