"""MSE, smooth L1 / Huber, KL divergence and cross entropy, reduced to a scalar.

Two launches, no atomics (deterministic): many programs each write one
partial sum (elementwise losses: TILES x BLOCK elements; cross entropy: ROWS rows, each
with an online logsumexp over the classes), then one program adds the partials,
applies the reduction scale and the fused epilogue. Bytes: one read of the
inputs; the partials are numel / (TILES x BLOCK) floats (or N / ROWS for cross entropy).
"""

from __future__ import annotations

import math

from ..expr import Unsupported
from ..family import Family
from ..heuristics import device_facts, grid, next_pow2
from ..patterns import copy_of
from .common import (
    TANH_HELPER,
    emit_region,
    leaf_expr,
    operand_launch_args,
    operand_params,
    region_operands,
    uses_tanh,
)


def _pointwise_loss(plan) -> str:
    kind = plan.attr("loss")
    if kind == "mse_loss":
        return "(a - b) * (a - b)"
    if kind == "smooth_l1_loss":
        beta = plan.attr("beta")
        if beta == 0.0:
            return "tl.abs(a - b)"
        return f"tl.where(tl.abs(a - b) < {beta!r}, 0.5 * (a - b) * (a - b) / {beta!r}, tl.abs(a - b) - {0.5 * beta!r})"
    if kind == "huber_loss":
        delta = plan.attr("delta")
        return f"tl.where(tl.abs(a - b) < {delta!r}, 0.5 * (a - b) * (a - b), {delta!r} * (tl.abs(a - b) - {0.5 * delta!r}))"
    if kind == "kl_div":
        if plan.attr("log_target"):
            return "tl.exp(b) * (b - a)"
        # torch: xlogy(target, target) - target * input, with 0 log 0 = 0
        return "tl.where(b > 0, b * tl.log(tl.where(b > 0, b, 1.0)), 0.0) - b * a"
    raise ValueError(kind)


def _finish_kernel(plan) -> str:
    lines, value = emit_region(
        plan.epilogue, plan.operands, "out_offs", "out_mask", "result", prefix="e"
    )
    divide = (
        "tl.sum(total, axis=0) / tl.sum(weight, axis=0)"
        if plan.attr("loss") == "cross_entropy" and plan.attr("reduction") == "mean"
        else "tl.sum(total, axis=0) * SCALE"
    )
    body = "\n".join("    " + line for line in lines)
    return f'''
@triton.jit
def loss_finish_kernel(partial_ptr, weight_ptr, {operand_params(region_operands(plan.epilogue))}out_ptr,
        n_partials, SCALE, BLOCK: tl.constexpr):
    """One program: out = reduce(partials) (sum x SCALE, or sum / count), then the epilogue."""
    total = tl.zeros([BLOCK], dtype=tl.float32)
    weight = tl.zeros([BLOCK], dtype=tl.float32)
    for start in range(0, n_partials, BLOCK):
        offs = start + tl.arange(0, BLOCK)
        mask = offs < n_partials
        total += tl.load(partial_ptr + offs, mask=mask, other=0.0)
        weight += tl.load(weight_ptr + offs, mask=mask, other=0.0)
    out_offs = tl.arange(0, 1)
    out_mask = out_offs < 1
    result = tl.zeros([1], dtype=tl.float32) + {divide}
{body}
    tl.store(out_ptr + out_offs, {value}, mask=out_mask)
'''


def _elementwise(plan, config) -> tuple[str, list[str]]:
    prologue, a_value = emit_region(plan.prologue, plan.operands, "offs", "mask", None, prefix="p")
    body = "\n".join("        " + line for line in prologue)
    kernel = f'''
@triton.jit
def loss_partial_kernel({operand_params(region_operands(plan.prologue))}b_ptr, partial_ptr, numel,
        TILES: tl.constexpr, BLOCK: tl.constexpr):
    """partial[pid] = sum of {plan.attr("loss")} terms over TILES x BLOCK adjacent elements
    of a and b (contiguous, same shape): reads 2 x numel elements, writes
    numel / (TILES x BLOCK) floats. Terms add element-wise into one BLOCK-wide
    accumulator, folded once at the end."""
    pid = tl.program_id(0)
    acc = tl.zeros([BLOCK], dtype=tl.float32)
    for tile in range(0, TILES):
        offs = (pid.to(tl.int64) * TILES + tile) * BLOCK + tl.arange(0, BLOCK)
        mask = offs < numel
{body}
        a = {a_value}
        b = tl.load(b_ptr + offs, mask=mask, other=0.0).to(tl.float32)
        acc += tl.where(mask, {_pointwise_loss(plan)}, 0.0)
    tl.store(partial_ptr + pid, tl.sum(acc, axis=0))
'''
    numel, block = plan.attr("numel"), config["BLOCK"]
    forward = [
        f"n_partials = {partials(plan, config)}",
        f"partial = torch.empty((n_partials,), device={plan.inputs[0][0]}.device, dtype=torch.float32)",
        (
            f"loss_partial_kernel[(n_partials,)]({operand_launch_args(plan, region_operands(plan.prologue))}"
            f"{leaf_expr(plan, plan.attr('b'))}.contiguous(), partial, {numel}, "
            f"TILES={config.get('TILES', 1)}, BLOCK={block}, "
            f"num_warps={config['num_warps']})"
        ),
        "weight = partial",  # unused by the sum/scale finish; passed for one kernel signature
    ]
    return kernel, forward


def _cross_entropy(plan, config) -> tuple[str, list[str]]:
    prologue, a_value = emit_region(plan.prologue, plan.operands, "offs", "mask", None, prefix="p")
    body = "\n".join("        " + line for line in prologue)
    kernel = f'''
@triton.jit
def cross_entropy_row_kernel({operand_params(region_operands(plan.prologue))}target_ptr, partial_ptr,
        weight_ptr, N, C, IGNORE_INDEX, ROWS: tl.constexpr, BLOCK: tl.constexpr):
    """ROWS rows of logits[N, C] (contiguous) per program: loss = logsumexp(row) - row[target].

    Online max/sum over C in BLOCK chunks, folded per chunk (one exponential per
    logit; a per-element running max took three): reads C + 1 values per row; writes the
    sum of its rows' losses and how many counted (one partial per program, so
    the finishing program reads N / ROWS partials, not N).
    """
    rows = tl.program_id(0).to(tl.int64) * ROWS + tl.arange(0, ROWS)
    row_ok = rows < N
    target = tl.load(target_ptr + rows, mask=row_ok, other=IGNORE_INDEX)
    valid = row_ok & (target != IGNORE_INDEX)
    safe_target = tl.where(valid, target, 0)
    run_max = tl.zeros([ROWS], dtype=tl.float32) - float('inf')
    run_sum = tl.zeros([ROWS], dtype=tl.float32)
    picked = tl.zeros([ROWS], dtype=tl.float32)
    for start in range(0, C, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        mask = row_ok[:, None] & (cols[None, :] < C)
        offs = rows[:, None] * C + cols[None, :]
{body}
        x = tl.where(mask, {a_value}, -float('inf'))
        picked += tl.sum(tl.where(cols[None, :] == safe_target[:, None], x, 0.0), axis=1)
        new_max = tl.maximum(run_max, tl.max(x, axis=1))
        safe_max = tl.where(new_max == -float('inf'), 0.0, new_max)
        run_sum = run_sum * tl.exp(run_max - safe_max) + tl.sum(tl.exp(x - safe_max[:, None]), axis=1)
        run_max = new_max
    loss = run_max + tl.log(run_sum) - picked
    tl.store(partial_ptr + tl.program_id(0), tl.sum(tl.where(valid, loss, 0.0), axis=0))
    tl.store(weight_ptr + tl.program_id(0), tl.sum(tl.where(valid, 1.0, 0.0), axis=0))
'''
    rows, classes = plan.attr("rows"), plan.attr("classes")
    per_program = config.get("ROWS", 1)
    forward = [
        f"n_partials = {partials(plan, config)}",
        f"partial = torch.empty((n_partials,), device={plan.inputs[0][0]}.device, dtype=torch.float32)",
        "weight = torch.empty_like(partial)",
        (
            f"cross_entropy_row_kernel[(n_partials,)]({operand_launch_args(plan, region_operands(plan.prologue))}"
            f"{leaf_expr(plan, plan.attr('b'))}.contiguous(), partial, weight, {rows}, {classes}, "
            f"{plan.attr('ignore_index')}, ROWS={per_program}, "
            f"BLOCK={min(config['BLOCK'], 1 << (classes - 1).bit_length())}, "
            f"num_warps={config['num_warps']})"
        ),
    ]
    return kernel, forward


def partials(plan, config) -> int:
    """How many partial sums the first launch writes (the finishing program reads them)."""
    if plan.attr("loss") == "cross_entropy":
        return -(-plan.attr("rows") // config.get("ROWS", 1))
    return -(-plan.attr("numel") // (config["BLOCK"] * config.get("TILES", 1)))


def render(plan, config) -> tuple[str, list[str]]:
    ce = plan.attr("loss") == "cross_entropy"
    kernel, forward = (_cross_entropy if ce else _elementwise)(plan, config)
    helpers = TANH_HELPER if uses_tanh(plan.prologue + plan.epilogue) else ""
    kernels = helpers + kernel + _finish_kernel(plan)
    # One program adds the partials: a wide block keeps its loop short (at 1024 a
    # time, 32768 partials took 32 dependent load rounds).
    finish_block = min(max(1 << (partials(plan, config) - 1).bit_length(), 128), 4096)
    forward += [
        f"out = torch.empty((), device={plan.inputs[0][0]}.device, dtype=torch.{plan.out_dtype})",
        (
            f"loss_finish_kernel[(1,)](partial, weight, "
            f"{operand_launch_args(plan, region_operands(plan.epilogue))}out, n_partials, "
            f"{plan.attr('scale')!r}, BLOCK={finish_block}, num_warps={8 if finish_block >= 2048 else 4})"
        ),
        "return out",
    ]
    return kernels, forward


# --- matching -----------------------------------------------------------------

# `reduction` as ATen's enum (0, 1, 2) or as the functional API's string.
_REDUCTION = {
    0: "none",
    1: "mean",
    2: "sum",
    "none": "none",
    "mean": "mean",
    "sum": "sum",
    "batchmean": "batchmean",
    "elementwise_mean": "mean",
}


def match(ctx, head):
    kind = head.kind
    a, b = head.args[0], ctx.leaf(head.args[1])
    a_shape, b_shape = ctx.shape_of(a), tuple(ctx.leaves[b]["shape"])
    prologue = copy_of(ctx, a.name, a_shape)  # e.g. the torch.log in kl_div(log(p), q)
    attrs = {"b": b, "loss": kind}
    if kind == "cross_entropy":
        if len(a_shape) != 2 or b_shape != a_shape[:1] or ctx.leaves[b]["dtype"] != "int64":
            raise Unsupported("cross entropy needs [N, C] logits and [N] int64 class indices")
        if head.arg(2, "weight") is not None or float(head.arg(5, "label_smoothing", 0.0)) != 0.0:
            raise Unsupported("cross entropy with class weights or label smoothing")
        reduction = _REDUCTION.get(head.arg(3, "reduction", 1))
        attrs.update(
            ignore_index=int(head.arg(4, "ignore_index", -100)), rows=a_shape[0], classes=a_shape[1]
        )
    else:
        if a_shape != b_shape:
            raise Unsupported(f"{kind} of differently shaped tensors {a_shape} {b_shape}")
        reduction = _REDUCTION.get(head.arg(2, "reduction", 1))
        if kind == "l1_loss":  # smooth L1 with beta 0 is |a - b| (torch documents it so)
            attrs.update(loss="smooth_l1_loss", beta=0.0)
        elif kind == "smooth_l1_loss":
            attrs["beta"] = float(head.arg(3, "beta", 1.0))
        elif kind == "huber_loss":
            attrs["delta"] = float(head.arg(3, "delta", 1.0))
        elif kind == "kl_div":
            attrs["log_target"] = bool(head.arg(3, "log_target", False))
        attrs["numel"] = math.prod(a_shape)
    if reduction not in ("mean", "sum", "batchmean"):
        raise Unsupported(f"{kind} with reduction {reduction!r}")
    count = attrs.get("numel") if reduction == "mean" and kind != "cross_entropy" else None
    attrs["reduction"] = reduction
    attrs["scale"] = (
        (1.0 / count if count else 1.0) if reduction != "batchmean" else 1.0 / a_shape[0]
    )
    return "loss", attrs, prologue, a_shape, None


# --- config -------------------------------------------------------------------


def cross_entropy_rows(rows: int, classes: int, sm_count: int) -> int:
    """Rows per program: about 4096 logits in flight per program, while keeping at
    least 4 programs per SM. One short row per program (1000 classes: 4 warps
    with 8 values each) left the first launch latency-bound (29% of DRAM
    bandwidth on an H200, benchmarks/results/h200-2026-12-01-bench, problem 22)."""
    count = max(1, min(16, 4096 // next_pow2(classes)))
    while count > 1 and rows / count < 4 * sm_count:
        count //= 2
    return count


LOSS_TILES = (1, 4, 16, 64)
RESIDENT_PROGRAMS_PER_SM = 16  # 4-warp programs: Hopper holds 64 warps per SM


def loss_tiles(numel: int, block: int, sm_count: int) -> int:
    """BLOCK tiles each elementwise-loss program adds up: few enough programs that
    all are resident at once. One tile per program (32768 programs for 33.5M
    elements) ran the MSE and smooth-L1 losses at 77-78% and KL at 71% of DRAM
    bandwidth on an H200 (benchmarks/results/h200-2026-12-01-bench, problems 20, 21, 23), and
    left the finishing program 32768 partials to add."""
    wanted = -(-numel // block) / (RESIDENT_PROGRAMS_PER_SM * sm_count)
    return min((t for t in LOSS_TILES if t >= wanted), default=LOSS_TILES[-1])


def space(plan, device=None) -> list[dict]:
    if plan.attr("loss") == "cross_entropy":
        return grid(BLOCK=[512, 1024, 2048, 4096], num_warps=[4, 8], ROWS=[1, 2, 4, 8, 16])
    return grid(BLOCK=[512, 1024, 2048, 4096], num_warps=[4, 8], TILES=LOSS_TILES)


def default(plan, device=None) -> dict:
    sm_count = device_facts(device).sm_count
    if plan.attr("loss") == "cross_entropy":
        return {
            "BLOCK": 1024,
            "num_warps": 4,
            "ROWS": cross_entropy_rows(plan.attr("rows"), plan.attr("classes"), sm_count),
        }
    return {"BLOCK": 1024, "num_warps": 4, "TILES": loss_tiles(plan.attr("numel"), 1024, sm_count)}


FAMILY = Family(
    name="loss",
    kinds=frozenset(
        {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "cross_entropy"}
    ),
    match=match,
    space=space,
    default=default,
    render=render,
)
