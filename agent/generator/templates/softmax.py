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
    empty_output,
    epilogue_lines,
    kernel_operand_args,
    kernel_operand_params,
    prologue_lines,
    row_view,
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
    for start in range(0, R, BLOCK_R):
{tile}{load}
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
