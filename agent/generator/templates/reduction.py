"""sum / mean / prod / amax / amin / argmax / argmin / logsumexp along any adjacent dims.

Single pass per output column; with SPLIT > 1 (sum, mean, amax, amin,
logsumexp) R is cut into SPLIT slices reduced by separate programs into a
[outer, SPLIT, inner] workspace, then a second launch of the same kernel shape
combines the partials (no atomics: results are deterministic). Split-K style
reductions follow the Triton matmul tutorial's split-k idea; the chunked online
logsumexp is the one in attorch's softmax kernels.
"""

from __future__ import annotations

from ..expr import Unsupported
from ..family import Family
from ..heuristics import (
    ROWS_CHOICES,
    SHORT_ROW,
    SPLITS,
    device_facts,
    next_pow2,
    row_tile_default,
    row_tiles,
    rows_per_program,
    split_count,
)
from ..patterns import dims_of, prologue_of
from ..size import Size
from .common import TANH_HELPER, uses_tanh
from .rows import (
    empty_output,
    epilogue_lines,
    kernel_operand_args,
    kernel_operand_params,
    prologue_lines,
    row_view,
)

_NEUTRAL = {
    "sum": "0.0",
    "mean": "0.0",
    "amax": "-float('inf')",
    "amin": "float('inf')",
    "argmax": "-float('inf')",
    "argmin": "float('inf')",
    "logsumexp": "-float('inf')",
    "prod": "1.0",
}
# tl has no product reduction: tl.reduce folds with this combine function.
PRODUCT_HELPER = """
@triton.jit
def _product(a, b):
    return a * b
"""
SPLITTABLE = ("sum", "mean", "amax", "amin", "logsumexp")
# Ops whose float32 accumulator rounds at every step (a max or a min is exact).
ROUNDING = ("sum", "mean", "logsumexp", "prod")
# Each lane of a program's tile adds R / (SPLIT * BLOCK_R) terms one after another
# before the tile is folded. Past this many, the running sum drowns what it adds: a
# mean of 16384 x 32768 squares by one program of 16-row tiles adds 2^25 terms a lane,
# and float32 stops counting past 2^24 (an H200 search's such candidate was `wrong`,
# benchmarks/results/h200-2026-12-05-one-comparison-kernel). At 2^16 terms the
# expected relative error, about 2^-24 * sqrt(terms / 3), is near 1e-5, a tenth of the
# harness's float32 tolerance.
MOST_TERMS_A_LANE = 1 << 16


def terms_a_lane(r: int, config: dict) -> int:
    """How many terms one accumulator lane adds in sequence (the ROWS configs of short
    rows have one tile a row)."""
    return -(-r // (config.get("SPLIT", 1) * config["BLOCK_R"]))


def _accumulate(op: str, axis: int = 0) -> tuple[list[str], list[str], str]:
    """(init lines, per-chunk lines, result expression) for one reduction op.

    Accumulators are tiles updated element-wise, and the reduced positions are
    folded once, after the loop: a tl.sum(axis=0) per chunk crosses warps
    through shared memory on every iteration, and on an H200 that kept a
    middle-dim sum of 2 GiB at 68% of DRAM bandwidth (benchmarks/results/h200-2026-12-01-bench).
    logsumexp keeps per-chunk folds: a per-element online max would cost two
    exponentials per element instead of one.

    axis 0: [BLOCK_R, BLOCK_INNER] tiles, R down the rows (_kernel); axis 1:
    [ROWS, BLOCK_R] tiles, R along the contiguous columns (_rows_kernel).
    """
    tile = "[BLOCK_R, BLOCK_INNER]" if axis == 0 else "[ROWS, BLOCK_R]"
    kept = "[BLOCK_INNER]" if axis == 0 else "[ROWS]"
    spread = "[None, :]" if axis == 0 else "[:, None]"  # a kept vector against the tile
    along = "rows[:, None]" if axis == 0 else "rows[None, :]"  # R positions as a tile
    if op in ("sum", "mean"):
        return (
            [f"acc = tl.zeros({tile}, dtype=tl.float32)"],
            ["acc += x"],
            f"tl.sum(acc, axis={axis})",
        )
    if op == "prod":
        return (
            [f"acc = tl.zeros({tile}, dtype=tl.float32) + 1.0"],
            ["acc *= x"],
            f"tl.reduce(acc, {axis}, _product)",
        )
    if op in ("amax", "amin"):
        fn = "maximum" if op == "amax" else "minimum"
        red = "max" if op == "amax" else "min"
        return (
            [f"acc = tl.zeros({tile}, dtype=tl.float32) + {_NEUTRAL[op]}"],
            [f"acc = tl.{fn}(acc, x)"],
            f"tl.{red}(acc, axis={axis})",
        )
    if op in ("argmax", "argmin"):
        red, better = ("max", ">") if op == "argmax" else ("min", "<")
        # Per lane, rows arrive in increasing order, so a strict comparison keeps
        # each lane's first extreme; the fold then takes the smallest such row,
        # the first index torch returns.
        return (
            [
                f"best = tl.zeros({tile}, dtype=tl.float32) + {_NEUTRAL[op]}",
                f"best_index = tl.zeros({tile}, dtype=tl.int32)",
            ],
            [
                f"improved = x {better} best",
                f"best_index = tl.where(improved, {along} + 0 * best_index, best_index)",
                "best = tl.where(improved, x, best)",
            ],
            f"tl.min(tl.where(best == tl.{red}(best, axis={axis}){spread}, best_index, "
            f"2147483647), axis={axis})",
        )
    if op == "logsumexp":
        zeros = f"tl.zeros({kept}, dtype=tl.float32)"
        return (
            [f"run_max = {zeros} - float('inf')", f"run_sum = {zeros}"],
            [
                f"new_max = tl.maximum(run_max, tl.max(x, axis={axis}))",
                "safe_max = tl.where(new_max == -float('inf'), 0.0, new_max)",
                "run_sum = run_sum * tl.exp(run_max - safe_max) + "
                f"tl.sum(tl.exp(x - safe_max{spread}), axis={axis})",
                "run_max = new_max",
            ],
            "run_max + tl.log(run_sum)",
        )
    raise ValueError(op)


def _kernel(plan, name: str, op: str, first_pass: bool, final: bool, divisor: int) -> str:
    init, chunk, result = _accumulate(op)
    if first_pass:
        load = prologue_lines(plan, "        ")
        operands = kernel_operand_params(plan) if final else _prologue_params(plan)
    else:
        load = ["        x = tl.load(in_ptr + offs, mask=mask, other=0.0).to(tl.float32)"]
        operands = "in_ptr, " + (_epilogue_params(plan) if final else "")
    if final and op == "mean":
        # the combine pass's R is the split count: there the row length is a number
        assert first_pass or not isinstance(divisor, Size), "a run-time row length split"
        result = f"({result}) / {_divisor(divisor)}"
    lines = [f"    {line}" for line in init]
    body = "\n".join(lines)
    chunk_body = "\n".join(f"        {line}" for line in chunk)
    if final:
        epilogue, value = epilogue_lines(plan, "    ", "result", "out_offs", "col_mask")
    else:
        epilogue, value = [], "result"
    epi = "\n".join(epilogue)
    return f'''
@triton.jit
def {name}({operands}out_ptr, R, INNER, SPLIT, ROWS_PER_SPLIT, n_inner_blocks,
        BLOCK_R: tl.constexpr, BLOCK_INNER: tl.constexpr):
    """{op} over r of x[outer, r, inner] (contiguous; element at (o * R + r) * INNER + i).

    Grid: (outer * n_inner_blocks, SPLIT). Each program reads its ROWS_PER_SPLIT x
    BLOCK_INNER slab once (R * INNER * outer elements in all) and writes BLOCK_INNER
    values to out[(o * SPLIT + split) * INNER + i].
    """
    pid = tl.program_id(0)
    split = tl.program_id(1)
    outer = pid // n_inner_blocks
    cols = (pid % n_inner_blocks) * BLOCK_INNER + tl.arange(0, BLOCK_INNER)
    col_mask = cols < INNER
    base = outer.to(tl.int64) * R * INNER
    row_start = split * ROWS_PER_SPLIT
    row_stop = tl.minimum(row_start + ROWS_PER_SPLIT, R)
{body}
    for start in range(row_start, row_stop, BLOCK_R):
        rows = start + tl.arange(0, BLOCK_R)
        mask = (rows[:, None] < row_stop) & col_mask[None, :]
        offs = base + rows[:, None] * INNER + cols[None, :]
{chr(10).join(load)}
        x = tl.where(mask, x, {_NEUTRAL[op]})
{chunk_body}
    result = {result}
    out_offs = (outer.to(tl.int64) * SPLIT + split) * INNER + cols
{epi}
    tl.store(out_ptr + out_offs, {value}, mask=col_mask)
'''


def _rows_kernel(plan, op: str, divisor: int) -> str:
    """Short contiguous rows, ROWS of them per program as a [ROWS, BLOCK_R] tile
    reduced along its contiguous axis 1 (the softmax template's _render_rows
    layout). One 256-element row per program summed 1M router rows
    (benchmarks/flywheel/row_sum_a.py) at 0.52x eager on an H200
    (benchmarks/results/h200-2026-12-02-flywheel-regimes): a million programs,
    each a single 1 KB read."""
    init, chunk, result = _accumulate(op, axis=1)
    if op == "mean":
        result = f"({result}) / {_divisor(divisor)}"
    body = "\n".join(f"    {line}" for line in init)
    chunk_body = "\n".join(f"        {line}" for line in chunk)
    epilogue, value = epilogue_lines(plan, "    ", "result", "outs", "out_mask")
    return f'''
@triton.jit
def reduce_kernel({kernel_operand_params(plan)}out_ptr, R, OUTER,
        ROWS: tl.constexpr, BLOCK_R: tl.constexpr):
    """{op} over the last dim of x[outer, r] (contiguous), ROWS rows per program;
    one read of every element, one write per row."""
    outs = tl.program_id(0).to(tl.int64) * ROWS + tl.arange(0, ROWS)
    out_mask = outs < OUTER
{body}
    for start in range(0, R, BLOCK_R):
        rows = start + tl.arange(0, BLOCK_R)
        mask = out_mask[:, None] & (rows[None, :] < R)
        offs = outs[:, None] * R + rows[None, :]
{chr(10).join(prologue_lines(plan, "        "))}
        x = tl.where(mask, x, {_NEUTRAL[op]})
{chunk_body}
    result = {result}
{chr(10).join(epilogue)}
    tl.store(out_ptr + outs, {value}, mask=out_mask)
'''


def _divisor(length: int) -> str:
    """A mean's divisor: the kernel's R argument where the row length is read at run time
    (agent/generator/size.py), else the number."""
    return "R" if isinstance(length, Size) else repr(float(length))


def _prologue_params(plan) -> str:
    from .common import operand_params, region_operands

    return operand_params(region_operands(plan.prologue))


def _epilogue_params(plan) -> str:
    from .common import operand_params, region_operands

    return operand_params(region_operands(plan.epilogue))


def _args(plan, steps_attr: str) -> str:
    from .common import operand_launch_args, region_operands

    return operand_launch_args(plan, region_operands(getattr(plan, steps_attr)))


def render(plan, config) -> tuple[str, list[str]]:
    op = plan.op
    outer, r, inner = row_view(plan.in_shape, plan.attr("dims"))
    split = config.get("SPLIT", 1) if op in SPLITTABLE else 1
    helpers = TANH_HELPER if uses_tanh(plan.prologue + plan.epilogue) else ""
    helpers += PRODUCT_HELPER if op == "prod" else ""
    block_r, block_inner = config["BLOCK_R"], config["BLOCK_INNER"] if inner > 1 else 1
    out_dtype = "int64" if op in ("argmax", "argmin") else plan.out_dtype
    launch = f"num_warps={config['num_warps']}"
    n_blocks = f"triton.cdiv({inner}, {block_inner})"
    forward = [empty_output(plan, out_dtype)]
    rows = config.get("ROWS", 1) if inner == 1 else 1
    if rows > 1:
        kernels = helpers + _rows_kernel(plan, op, r)
        forward.append(
            f"reduce_kernel[(triton.cdiv({outer}, {rows}),)]({kernel_operand_args(plan)}out, "
            f"{r}, {outer}, ROWS={rows}, BLOCK_R={block_r}, {launch})"
        )
    elif split == 1:
        kernels = helpers + _kernel(plan, "reduce_kernel", op, True, True, r)
        forward.append(
            f"reduce_kernel[({outer} * {n_blocks}, 1)]({kernel_operand_args(plan)}out, "
            f"{r}, {inner}, 1, {r}, {n_blocks}, BLOCK_R={block_r}, "
            f"BLOCK_INNER={block_inner}, {launch})"
        )
    else:
        combine = {"mean": "sum"}.get(op, op)
        kernels = helpers + _kernel(
            plan, "reduce_partial_kernel", op if op != "mean" else "sum", True, False, r
        )
        kernels += _kernel(
            plan, "reduce_combine_kernel", combine if op != "mean" else "mean", False, True, r
        )
        rows_per_split = -(-r // split)
        forward += [
            f"partial = torch.empty(({outer}, {split}, {inner}), device=out.device, dtype=torch.float32)",
            (
                f"reduce_partial_kernel[({outer} * {n_blocks}, {split})]({_args(plan, 'prologue')}partial, "
                f"{r}, {inner}, {split}, {rows_per_split}, {n_blocks}, BLOCK_R={block_r}, "
                f"BLOCK_INNER={block_inner}, {launch})"
            ),
            (
                f"reduce_combine_kernel[({outer} * {n_blocks}, 1)](partial, {_args(plan, 'epilogue')}out, "
                f"{split}, {inner}, 1, {split}, {n_blocks}, BLOCK_R={_pow2(split)}, "
                f"BLOCK_INNER={block_inner}, {launch})"
            ),
        ]
    forward.append("return out")
    return kernels, forward


def _pow2(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


# --- matching and config ------------------------------------------------------

KINDS = frozenset(
    {"sum", "mean", "amax", "amin", "max", "min", "argmax", "argmin", "logsumexp", "prod"}
)


def match(ctx, head):
    kind = head.kind
    prologue, shape = prologue_of(ctx, head.args[0])
    if kind in ("max", "min") and head.arg(1, "dim") is None:
        kind = "amax" if kind == "max" else "amin"  # torch.max(x): full reduction
    dim = head.arg(1, "dim")
    keepdim = bool(head.arg(2, "keepdim", False))
    dims = dims_of(dim, len(shape))
    if list(dims) != list(range(dims[0], dims[-1] + 1)):
        raise Unsupported(f"reduction over non-adjacent dims {dims}")
    if head.kwargs.get("dtype") is not None:
        raise Unsupported("reduction with a dtype argument")
    op = {"max": "amax", "min": "amin", "argmax": "argmax", "argmin": "argmin"}.get(kind, kind)
    if op in ("argmax", "argmin") and ctx.output != head.name:
        raise Unsupported("epilogue on integer indices")
    return "reduction", {"dims": dims, "keepdim": keepdim, "op": op}, prologue, shape, None


def space(plan, device=None) -> list[dict]:
    _, r, inner = row_view(plan.in_shape, plan.attr("dims"))
    # The kernel keeps a [BLOCK_R, BLOCK_INNER] accumulator in registers
    # (_accumulate): beyond 8192 elements it would spill.
    tiles = row_tiles(r, inner, most=8192)
    if plan.op in SPLITTABLE:
        tiles = [{**c, "SPLIT": s} for c in tiles for s in SPLITS]
    if plan.op in ROUNDING:
        tiles = [c for c in tiles if terms_a_lane(r, c) <= MOST_TERMS_A_LANE] or tiles
    one = next_pow2(r)
    if inner == 1 and one <= SHORT_ROW:  # many short rows: several per program
        tiles += [
            {"BLOCK_R": one, "BLOCK_INNER": 1, "num_warps": w, "ROWS": rows}
            | ({"SPLIT": 1} if plan.op in SPLITTABLE else {})
            for rows in ROWS_CHOICES
            if one * rows <= 8192
            for w in (4, 8)
        ]
    return tiles


def default(plan, device=None) -> dict:
    outer, r, inner = row_view(plan.in_shape, plan.attr("dims"))
    one = next_pow2(r)
    if inner == 1 and one <= SHORT_ROW:
        rows = rows_per_program(outer, one, device_facts(device).sm_count)
        if rows > 1:
            config = {"BLOCK_R": one, "BLOCK_INNER": 1, "num_warps": 4, "ROWS": rows}
            return config | ({"SPLIT": 1} if plan.op in SPLITTABLE else {})
    config = row_tile_default(r, inner, space(plan, device))
    if plan.op in SPLITTABLE:
        programs = outer * -(-inner // config["BLOCK_INNER"])
        facts = device_facts(device)
        config["SPLIT"] = split_count(
            programs, r, facts.sm_count, config["BLOCK_R"], config["BLOCK_INNER"]
        )
        if plan.op in ROUNDING:
            config["SPLIT"] = max(config["SPLIT"], _fewest_slices(r, config))
    return config


def _fewest_slices(r: int, config: dict) -> int:
    """The fewest SPLITS that keep each lane within MOST_TERMS_A_LANE (the most there are
    where none does)."""
    fitting = (s for s in SPLITS if terms_a_lane(r, {**config, "SPLIT": s}) <= MOST_TERMS_A_LANE)
    return next(fitting, SPLITS[-1])


FAMILY = Family(
    name="reduction", kinds=KINDS, match=match, space=space, default=default, render=render
)
