"""softmax / log_softmax along one dim of the [outer, R, inner] view.

passes="one": the whole row is one BLOCK_R tile, read once and written once
(Triton tutorial 02-fused-softmax). passes="online": rows longer than a block
are read twice: a first sweep keeps a running max and a rescaled running sum
(the online normaliser of Milakov & Gimelshein, as in attorch's softmax
kernels), a second sweep writes. Bytes: (1 or 2) reads + 1 write of numel.
"""

from __future__ import annotations

import dataclasses

from ..expr import Unsupported
from ..family import Family
from ..graph import Ref
from ..heuristics import (
    NORM_SPLITS,
    ROWS_CHOICES,
    SHORT_ROW,
    device_facts,
    inner_tiles,
    next_pow2,
    norm_split,
    reduction_tiles,
    row_block_limit,
    rows_per_program,
    warps_for_block,
)
from ..patterns import copy_of, dims_of, prologue_of
from ..size import Size
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
    block_inner = config["BLOCK_INNER"] if inner > 1 else 1
    one_pass = config["passes"] == "one"
    load = "\n".join(prologue_lines(plan, "        "))
    epilogue, value = epilogue_lines(plan, "        ", "y", "offs", "mask")
    normalise = (
        "x - row_max[None, :] - tl.log(row_sum)[None, :]"
        if log
        else "tl.exp(x - row_max[None, :]) / row_sum[None, :]"
    )
    tile = """        rows = start + tl.arange(0, BLOCK_R)
        mask = (rows[:, None] < R) & col_mask[None, :]
        offs = base + rows[:, None] * INNER + cols[None, :]
"""
    if config.get("SPLIT", 1) > 1:
        return _render_split(
            plan,
            config,
            tile.replace("< R)", "< hi)"),
            load,
            epilogue,
            value,
            normalise,
            (outer, r),
        )
    bucketed = isinstance(r, Size)  # the row length read at run time (generator/leading.py)
    table = _bucket_table(plan, config, log) if bucketed else ""
    lookup = [_lookup_line(r)] if bucketed else []
    launch = _LOOKED_UP if bucketed else {name: str(config.get(name, 1)) for name in _LAUNCH}
    if config.get("ROWS", 1) > 1:
        kernels, forward = _render_rows(plan, load, epilogue, value, log, (outer, r), launch)
        return table + kernels, lookup + forward
    if one_pass:
        stats = f"""    start = 0
    if True:
{tile}{load}
        x = tl.where(mask, x, -float('inf'))
        row_max = tl.max(x, axis=0)
        row_sum = tl.sum(tl.exp(x - row_max[None, :]), axis=0)
"""
        write = f"""        y = {normalise}
{chr(10).join(epilogue)}
        tl.store(out_ptr + offs, {value}, mask=mask)
"""
        body = stats + write
    else:
        body = f"""    row_max = tl.zeros([BLOCK_INNER], dtype=tl.float32) - float('inf')
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
"""
    kernels = (
        (TANH_HELPER if uses_tanh(plan.prologue + plan.epilogue) else "")
        + f'''
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
    )
    n_blocks = f"triton.cdiv({inner}, {block_inner})"
    forward = [
        empty_output(plan),
        (
            f"softmax_kernel[({outer} * {n_blocks},)]({kernel_operand_args(plan)}out, {r}, "
            f"{inner}, {n_blocks}, BLOCK_R={launch['BLOCK_R']}, BLOCK_INNER={block_inner}, "
            f"num_warps={launch['num_warps']})"
        ),
        "return out",
    ]
    return table + kernels, lookup + forward


# --- a searched config per row-length bucket ---------------------------------
# Where the row length is read at run time, the launch takes its block from a table
# keyed as `triton.autotune(key=[...])` would be, by the row's power-of-two bucket:
# the searched config for the problem's bucket, this family's `default` for each
# other one up to the one-pass limit. Longer rows (or shorter than MIN_BUCKET, padded
# to it) are declined by `kw_accepts`, so applied code runs the original there.
ROW_CONFIGS = "_KW_ROW_CONFIGS"
MIN_BUCKET = 16
_LAUNCH = ("BLOCK_R", "num_warps", "ROWS")
_LOOKED_UP = {"BLOCK_R": "kw_block", "num_warps": "kw_warps", "ROWS": "kw_rows"}


def _bucket_table(plan, config, log: bool) -> str:
    """The table's source: bucket -> (BLOCK_R, num_warps, ROWS)."""
    dims = [int(d) for d in plan.in_shape]
    own = max(MIN_BUCKET, next_pow2(dims[-1]))
    rows_kernel = config.get("ROWS", 1) > 1
    entries = {}
    bucket = MIN_BUCKET
    while bucket <= one_pass_limit(plan.dtype):
        chosen = default(dataclasses.replace(plan, in_shape=(*dims[:-1], bucket)))
        if chosen.get("passes") != "one" or chosen.get("SPLIT", 1) > 1:
            chosen = {"BLOCK_R": bucket, "num_warps": warps_for_block(bucket)}
        rows = chosen.get("ROWS", 1) if rows_kernel else 1
        entries[bucket] = (bucket, int(chosen["num_warps"]), max(1, int(rows)))
        bucket *= 2
    if int(config["BLOCK_R"]) >= own:  # it covers every row of its bucket
        entries[own] = (int(config["BLOCK_R"]), int(config["num_warps"]), config.get("ROWS", 1))
    what = "log_softmax" if log else "softmax"
    lines = "".join(f"    {key}: {value!r},\n" for key, value in entries.items())
    return (
        f"\n# {what} row-length bucket -> (BLOCK_R, num_warps, ROWS): the searched config for\n"
        f"# the problem's rows ({own}), the family's heuristic for the others.\n"
        f"{ROW_CONFIGS} = {{\n{lines}}}\n"
    )


def _lookup_line(r) -> str:
    """The launch's values from the row's bucket entry (forward's locals in _LOOKED_UP)."""
    bucket = f"max({MIN_BUCKET}, triton.next_power_of_2({r}))"
    return f"{', '.join(_LOOKED_UP.values())} = {ROW_CONFIGS}[{bucket}]"


def accepted_rows(first_input: str) -> str:
    """`kw_accepts`'s condition for a bucketed softmax: the row's bucket has an entry."""
    return f"max({MIN_BUCKET}, triton.next_power_of_2({first_input}.shape[-1])) in {ROW_CONFIGS}"


def _render_rows(plan, load, epilogue, value, log, shape, launch: dict[str, str]):
    """Short rows, ROWS of them per program as a [ROWS, BLOCK_R] tile reduced along
    its contiguous axis 1 (the layout of Triton tutorial 02's kernels). One
    128-element row per program ran the heads softmax of
    benchmarks/corpus/164_reshape_heads_softmax.py (524288 rows) at 0.41x eager
    on an H200 (benchmarks/results/h200-2026-12-01-corpus-bench)."""
    outer, r = shape
    rows = launch["ROWS"]
    normalise = (
        "x - row_max[:, None] - tl.log(row_sum)[:, None]"
        if log
        else "tl.exp(x - row_max[:, None]) / row_sum[:, None]"
    )
    kernels = (
        (TANH_HELPER if uses_tanh(plan.prologue + plan.epilogue) else "")
        + f'''
@triton.jit
def softmax_kernel({kernel_operand_params(plan)}out_ptr, R, OUTER,
        ROWS: tl.constexpr, BLOCK_R: tl.constexpr):
    """{plan.op} over the last dim of x[outer, r], ROWS rows per program; one read
    and one write of every element."""
    pid = tl.program_id(0)
    row = pid.to(tl.int64) * ROWS + tl.arange(0, ROWS)
    cols = tl.arange(0, BLOCK_R)
    mask = (row[:, None] < OUTER) & (cols[None, :] < R)
    offs = row[:, None] * R + cols[None, :]
    if True:
{load}
        x = tl.where(mask, x, -float('inf'))
        row_max = tl.max(x, axis=1)
        row_sum = tl.sum(tl.exp(x - row_max[:, None]), axis=1)
        y = {normalise}
{chr(10).join(epilogue)}
        tl.store(out_ptr + offs, {value}, mask=mask)
'''
    )
    forward = [
        empty_output(plan),
        (
            f"softmax_kernel[(triton.cdiv({outer}, {rows}),)]({kernel_operand_args(plan)}out, "
            f"{r}, {outer}, ROWS={rows}, BLOCK_R={launch['BLOCK_R']}, "
            f"num_warps={launch['num_warps']})"
        ),
        "return out",
    ]
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
    kernels = (
        (TANH_HELPER if uses_tanh(plan.prologue + plan.epilogue) else "")
        + f'''
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
    )
    meta = f"SPLIT={split}, BLOCK_R={block_r}, BLOCK_INNER=1, num_warps={config['num_warps']}"
    forward = [
        f"stats = torch.empty(({outer * split * 2},), device={plan.inputs[0][0]}.device, "
        "dtype=torch.float32)",
        f"softmax_stats_kernel[({outer * split},)]({kernel_operand_args(plan)}stats, {r}, 1, "
        f"{chunk}, {meta})",
        empty_output(plan),
        f"softmax_apply_kernel[({outer * split},)]({kernel_operand_args(plan)}stats, out, "
        f"{r}, 1, {chunk}, {meta})",
        "return out",
    ]
    return kernels, forward


# --- matching -----------------------------------------------------------------


def match(ctx, head):
    prologue, shape = prologue_of(ctx, head.args[0])
    dims = dims_of(head.arg(1, "dim"), len(shape))
    if len(dims) != 1:
        raise Unsupported("softmax needs one dim")
    return "softmax", {"dims": dims}, prologue, shape, None


def _same_value(ctx, a, b, depth: int = 8) -> bool:
    """Whether two arguments compute the same value: the same reference, or the same op
    on the same arguments (torch.export does not merge `exp(x - m)` written twice)."""
    if a == b:
        return True
    if not (isinstance(a, Ref) and isinstance(b, Ref)) or depth == 0:
        return False
    left, right = ctx.by_name.get(a.name), ctx.by_name.get(b.name)
    if left is None or right is None or left.kind != right.kind or left.kwargs != right.kwargs:
        return False
    return len(left.args) == len(right.args) and all(
        _same_value(ctx, x, y, depth - 1) for x, y in zip(left.args, right.args, strict=True)
    )


def _reduced_dim(op, rank: int) -> int | None:
    """The one dim a keepdim reduction reduces, or None."""
    dims = op.arg(1, "dim")
    dims = dims if isinstance(dims, list) else [dims]
    if len(dims) != 1 or not isinstance(dims[0], int) or not op.arg(2, "keepdim", False):
        return None
    return dims[0] % rank


def match_written_softmax(ctx):
    """exp(x - max(x, d, keepdim)) / sum(that, d, keepdim): softmax over d, written out
    as model code often does; one softmax kernel instead of two reductions and a pass."""
    out = ctx.by_name.get(ctx.output)
    if out is None or out.kind != "div" or not all(isinstance(a, Ref) for a in out.args[:2]):
        return None
    exp, total = (ctx.by_name.get(a.name) for a in out.args[:2])
    if exp is None or total is None or exp.kind != "exp" or total.kind != "sum":
        return None
    if not _same_value(ctx, total.args[0], Ref(exp.name)) or not isinstance(exp.args[0], Ref):
        return None
    shifted = ctx.by_name.get(exp.args[0].name)
    if (
        shifted is None
        or shifted.kind != "sub"
        or not all(isinstance(a, Ref) for a in shifted.args[:2])
    ):
        return None
    x, peak = shifted.args[0], ctx.by_name.get(shifted.args[1].name)
    if peak is None or peak.kind not in ("amax", "max") or peak.args[0] != x:
        return None
    shape = ctx.shape_of(x)
    dim = _reduced_dim(total, len(shape))
    if dim is None or _reduced_dim(peak, len(shape)) != dim:
        return None
    prologue = copy_of(ctx, x.name, shape)
    return "softmax", "softmax", shape, {"dims": (dim,)}, prologue, ()


# --- config -------------------------------------------------------------------


one_pass_limit = row_block_limit  # heuristics.py: shared with skill regimes


def space(plan, device=None) -> list[dict]:
    _, r, inner = row_view(plan.in_shape, plan.attr("dims"))
    inners = inner_tiles(inner, r)
    one = next_pow2(r)
    configs = []
    if one <= 65536:  # beyond this a row cannot live in registers
        configs += [
            {"passes": "one", "BLOCK_R": one, "BLOCK_INNER": bi, "num_warps": w}
            for bi in inners
            for w in (4, 8, 16)
            if one * bi <= 65536
        ]
    configs += [
        {"passes": "online", "BLOCK_R": b, "BLOCK_INNER": bi, "num_warps": w}
        for b in (256, 1024, 2048, 4096)
        if b < one
        for bi in inners
        for w in (4, 8)
    ]
    if inner == 1:  # few long rows: split each over programs (_render_split)
        configs += [
            {**c, "SPLIT": s} for c in configs if c["passes"] == "online" for s in NORM_SPLITS[1:]
        ]
    if inner == 1 and one <= SHORT_ROW:  # many short rows: several per program
        configs += [
            {"passes": "one", "BLOCK_R": one, "BLOCK_INNER": 1, "num_warps": w, "ROWS": rows}
            for rows in ROWS_CHOICES
            if one * rows <= 16384
            for w in (4, 8)
        ]
    return configs


def default(plan, device=None) -> dict:
    outer, r, inner = row_view(plan.in_shape, plan.attr("dims"))
    _, block_inner = reduction_tiles(r, inner)
    one = next_pow2(r)
    if one <= one_pass_limit(plan.dtype) and one * block_inner <= 65536:
        rows = rows_per_program(outer, one, device_facts(device).sm_count)
        if inner == 1 and one <= SHORT_ROW and rows > 1:
            return {"passes": "one", "BLOCK_R": one, "BLOCK_INNER": 1, "num_warps": 4, "ROWS": rows}
        return {
            "passes": "one",
            "BLOCK_R": one,
            "BLOCK_INNER": block_inner,
            "num_warps": warps_for_block(one),
        }
    online = {
        "passes": "online",
        "BLOCK_R": 2048 if one > 2048 else 256,
        "BLOCK_INNER": block_inner,
        "num_warps": 8,
    }
    split = norm_split(outer, r, device_facts(device).sm_count) if inner == 1 else 1
    return {**online, "SPLIT": split} if split > 1 else online


FAMILY = Family(
    name="softmax",
    kinds=frozenset({"softmax", "log_softmax"}),
    match=match,
    space=space,
    default=default,
    render=render,
    spellings=(match_written_softmax,),
)
