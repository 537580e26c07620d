"""softmax / log_softmax along one dim of the [outer, R, inner] view.

passes="one": the whole row is one BLOCK_R tile, read once and written once
(Triton tutorial 02-fused-softmax). passes="online": rows longer than a block
are read twice: a first sweep keeps a running max and a rescaled running sum
(the online normaliser of Milakov & Gimelshein, as in attorch's softmax
kernels), a second sweep writes. Bytes: (1 or 2) reads + 1 write of numel.
"""

from __future__ import annotations

from .common import TANH_HELPER, uses_tanh
from .rows import (
    APPLY_ROW_HEADER,
    SPLIT_ROW_HEADER,
    empty_output,
    epilogue_lines,
    kernel_operand_args,
    kernel_operand_params,
    prologue_lines,
    reversed_tiles,
    row_view,
    split_chunk,
)


def render(plan, config) -> tuple[str, list[str]]:
    log = plan.op == "log_softmax"
    outer, r, inner = row_view(plan.in_shape, plan.attr("dims"))
    block_r, block_inner = config["BLOCK_R"], config["BLOCK_INNER"] if inner > 1 else 1
    one_pass = config["passes"] == "one"
    load = "\n".join(prologue_lines(plan, "        "))
    epilogue, value = epilogue_lines(plan, "        ", "y", "offs", "mask")
    normalise = ("x - row_max[None, :] - tl.log(row_sum)[None, :]" if log
                 else "tl.exp(x - row_max[None, :]) / row_sum[None, :]")
    tile = '''        rows = start + tl.arange(0, BLOCK_R)
        mask = (rows[:, None] < R) & col_mask[None, :]
        offs = base + rows[:, None] * INNER + cols[None, :]
'''
    if config.get("SPLIT", 1) > 1:
        return _render_split(plan, config, tile.replace("< R)", "< hi)"), load, epilogue, value,
                             normalise, (outer, r))
    if one_pass:
        stats = f'''    start = 0
    if True:
{tile}{load}
        x = tl.where(mask, x, -float('inf'))
        row_max = tl.max(x, axis=0)
        row_sum = tl.sum(tl.exp(x - row_max[None, :]), axis=0)
'''
        write = f'''        y = {normalise}
{chr(10).join(epilogue)}
        tl.store(out_ptr + offs, {value}, mask=mask)
'''
        body = stats + write
    else:
        body = f'''    row_max = tl.zeros([BLOCK_INNER], dtype=tl.float32) - float('inf')
    row_sum = tl.zeros([BLOCK_INNER], dtype=tl.float32)
    for start in range(0, R, BLOCK_R):
{tile}{load}
        x = tl.where(mask, x, -float('inf'))
        new_max = tl.maximum(row_max, tl.max(x, axis=0))
        row_sum = row_sum * tl.exp(row_max - new_max) + tl.sum(tl.exp(x - new_max[None, :]), axis=0)
        row_max = new_max
{reversed_tiles("0", "R")}{tile}{load}
        y = {normalise}
{chr(10).join(epilogue)}
        tl.store(out_ptr + offs, {value}, mask=mask)
'''
    kernels = (TANH_HELPER if uses_tanh(plan.prologue + plan.epilogue) else "") + f'''
@triton.jit
def softmax_kernel({kernel_operand_params(plan)}out_ptr, R, INNER, n_inner_blocks,
        BLOCK_R: tl.constexpr, BLOCK_INNER: tl.constexpr):
    """{plan.op} over r of x[outer, r, inner], contiguous (offset (o * R + r) * INNER + i);
    {"one read" if one_pass else "two reads"} and one write of every element."""
    pid = tl.program_id(0)
    outer = pid // n_inner_blocks
    cols = (pid % n_inner_blocks) * BLOCK_INNER + tl.arange(0, BLOCK_INNER)
    col_mask = cols < INNER
    base = outer.to(tl.int64) * R * INNER
{body}'''
    n_blocks = f"triton.cdiv({inner}, {block_inner})"
    forward = [empty_output(plan),
               (f"softmax_kernel[({outer} * {n_blocks},)]({kernel_operand_args(plan)}out, {r}, "
               f"{inner}, {n_blocks}, BLOCK_R={block_r}, BLOCK_INNER={block_inner}, "
               f"num_warps={config['num_warps']})"),
               "return out"]
    return kernels, forward


def _render_split(plan, config, tile, load, epilogue, value, normalise, shape):
    """Few long rows (64 rows of 262144 kept 64 of 132 H100 SMs busy, at 20% of
    DRAM bandwidth): SPLIT programs per row. Kernel 1 keeps the online max and
    rescaled sum of its chunk; kernel 2 merges the row's SPLIT pairs (each sum
    rescaled to the row's max) and writes its chunk. Two reads, one write."""
    outer, r = shape
    split, block_r = config["SPLIT"], config["BLOCK_R"]
    chunk = split_chunk(r, split, block_r)
    header = SPLIT_ROW_HEADER
    kernels = (TANH_HELPER if uses_tanh(plan.prologue + plan.epilogue) else "") + f'''
@triton.jit
def softmax_stats_kernel({kernel_operand_params(plan)}stats_ptr, R, INNER, CHUNK,
        SPLIT: tl.constexpr, BLOCK_R: tl.constexpr, BLOCK_INNER: tl.constexpr):
    """{plan.op}, part 1 of 2: running max and rescaled sum of chunk [lo, hi) of a row."""
{header}    row_max = tl.zeros([BLOCK_INNER], dtype=tl.float32) - float('inf')
    row_sum = tl.zeros([BLOCK_INNER], dtype=tl.float32)
    for start in range(lo, hi, BLOCK_R):
{tile}{load}
        x = tl.where(mask, x, -float('inf'))
        new_max = tl.maximum(row_max, tl.max(x, axis=0))
        row_sum = row_sum * tl.exp(row_max - new_max) + tl.sum(tl.exp(x - new_max[None, :]), axis=0)
        row_max = new_max
    tl.store(stats_ptr + pid * 2, tl.max(row_max, axis=0))
    tl.store(stats_ptr + pid * 2 + 1, tl.sum(row_sum, axis=0))


@triton.jit
def softmax_apply_kernel({kernel_operand_params(plan)}stats_ptr, out_ptr, R, INNER, CHUNK,
        SPLIT: tl.constexpr, BLOCK_R: tl.constexpr, BLOCK_INNER: tl.constexpr):
    """{plan.op}, part 2 of 2: merge the row's SPLIT (max, sum) pairs, write chunk [lo, hi)."""
{APPLY_ROW_HEADER}    parts = outer * SPLIT + tl.arange(0, SPLIT)
    maxes = tl.load(stats_ptr + parts * 2)
    sums = tl.load(stats_ptr + parts * 2 + 1)
    top = tl.max(maxes, axis=0)
    total = tl.sum(sums * tl.exp(maxes - top), axis=0)
    row_max = tl.zeros([BLOCK_INNER], dtype=tl.float32) + top
    row_sum = tl.zeros([BLOCK_INNER], dtype=tl.float32) + total
{reversed_tiles("lo", "hi")}{tile}{load}
        y = {normalise}
{chr(10).join(epilogue)}
        tl.store(out_ptr + offs, {value}, mask=mask)
'''
    meta = f"SPLIT={split}, BLOCK_R={block_r}, BLOCK_INNER=1, num_warps={config['num_warps']}"
    forward = [f"stats = torch.empty(({outer * split * 2},), device={plan.inputs[0][0]}.device, "
               "dtype=torch.float32)",
               f"softmax_stats_kernel[({outer * split},)]({kernel_operand_args(plan)}stats, {r}, 1, "
               f"{chunk}, {meta})",
               empty_output(plan),
               f"softmax_apply_kernel[({outer * split},)]({kernel_operand_args(plan)}stats, out, "
               f"{r}, 1, {chunk}, {meta})",
               "return out"]
    return kernels, forward
