"""MSE, smooth L1 / Huber, KL divergence and cross entropy, reduced to a scalar.

Two launches, no atomics (deterministic): many programs each write one
partial sum (elementwise losses: BLOCK elements; cross entropy: one row with an
online logsumexp over the classes), then one program adds the partials,
applies the reduction scale and the fused epilogue. Bytes: one read of the
inputs; the partials are numel / BLOCK floats (or N for cross entropy).
"""

from __future__ import annotations

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
    lines, value = emit_region(plan.epilogue, plan.operands, "out_offs", "out_mask", "result",
                               prefix="e")
    divide = "tl.sum(total, axis=0) / tl.sum(weight, axis=0)" if plan.attr("loss") == \
        "cross_entropy" and plan.attr("reduction") == "mean" else "tl.sum(total, axis=0) * SCALE"
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
    body = "\n".join("    " + line for line in prologue)
    kernel = f'''
@triton.jit
def loss_partial_kernel({operand_params(region_operands(plan.prologue))}b_ptr, partial_ptr, numel,
        BLOCK: tl.constexpr):
    """partial[pid] = sum of {plan.attr("loss")} terms over BLOCK elements of a and b
    (contiguous, same shape): reads 2 x numel elements, writes numel / BLOCK floats."""
    pid = tl.program_id(0)
    offs = pid.to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < numel
{body}
    a = {a_value}
    b = tl.load(b_ptr + offs, mask=mask, other=0.0).to(tl.float32)
    terms = tl.where(mask, {_pointwise_loss(plan)}, 0.0)
    tl.store(partial_ptr + pid, tl.sum(terms, axis=0))
'''
    numel, block = plan.attr("numel"), config["BLOCK"]
    forward = [
        f"n_partials = triton.cdiv({numel}, {block})",
        f"partial = torch.empty((n_partials,), device={plan.inputs[0][0]}.device, dtype=torch.float32)",
        (f"loss_partial_kernel[(n_partials,)]({operand_launch_args(plan, region_operands(plan.prologue))}"
        f"{leaf_expr(plan, plan.attr('b'))}.contiguous(), partial, {numel}, BLOCK={block}, "
        f"num_warps={config['num_warps']})"),
        "weight = partial",  # unused by the sum/scale finish; passed for one kernel signature
    ]
    return kernel, forward


def _cross_entropy(plan, config) -> tuple[str, list[str]]:
    prologue, a_value = emit_region(plan.prologue, plan.operands, "offs", "mask", None, prefix="p")
    body = "\n".join("        " + line for line in prologue)
    kernel = f'''
@triton.jit
def cross_entropy_row_kernel({operand_params(region_operands(plan.prologue))}target_ptr, partial_ptr,
        weight_ptr, C, IGNORE_INDEX, BLOCK: tl.constexpr):
    """Row n of logits[N, C] (contiguous): loss = logsumexp(row) - row[target[n]].

    Online max/sum over C in BLOCK chunks: reads C + 1 logits, writes 2 floats.
    """
    row = tl.program_id(0).to(tl.int64)
    run_max = tl.zeros([BLOCK], dtype=tl.float32) - float('inf')
    run_sum = tl.zeros([BLOCK], dtype=tl.float32)
    target = tl.load(target_ptr + row)
    valid = target != IGNORE_INDEX
    safe_target = tl.where(valid, target, 0)
    picked = tl.zeros([BLOCK], dtype=tl.float32)
    for start in range(0, C, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        mask = cols < C
        offs = row * C + cols
{body}
        x = tl.where(mask, {a_value}, -float('inf'))
        picked += tl.where(cols == safe_target, x, 0.0)
        new_max = tl.maximum(run_max, x)
        safe_max = tl.where(new_max == -float('inf'), 0.0, new_max)
        run_sum = run_sum * tl.exp(run_max - safe_max) + tl.exp(x - safe_max)
        run_max = new_max
    row_max = tl.max(run_max, axis=0)
    row_sum = tl.sum(run_sum * tl.exp(run_max - row_max), axis=0)
    loss = row_max + tl.log(row_sum) - tl.sum(picked, axis=0)
    tl.store(partial_ptr + row, tl.where(valid, loss, 0.0))
    tl.store(weight_ptr + row, tl.where(valid, 1.0, 0.0))
'''
    rows, classes = plan.attr("rows"), plan.attr("classes")
    forward = [
        f"n_partials = {rows}",
        f"partial = torch.empty(({rows},), device={plan.inputs[0][0]}.device, dtype=torch.float32)",
        "weight = torch.empty_like(partial)",
        (f"cross_entropy_row_kernel[({rows},)]({operand_launch_args(plan, region_operands(plan.prologue))}"
        f"{leaf_expr(plan, plan.attr('b'))}.contiguous(), partial, weight, {classes}, "
        f"{plan.attr('ignore_index')}, BLOCK={min(config['BLOCK'], 1 << (classes - 1).bit_length())}, "
        f"num_warps={config['num_warps']})"),
    ]
    return kernel, forward


def render(plan, config) -> tuple[str, list[str]]:
    ce = plan.attr("loss") == "cross_entropy"
    kernel, forward = (_cross_entropy if ce else _elementwise)(plan, config)
    helpers = TANH_HELPER if uses_tanh(plan.prologue + plan.epilogue) else ""
    kernels = helpers + kernel + _finish_kernel(plan)
    forward += [
        f"out = torch.empty((), device={plan.inputs[0][0]}.device, dtype=torch.{plan.out_dtype})",
        (f"loss_finish_kernel[(1,)](partial, weight, "
        f"{operand_launch_args(plan, region_operands(plan.epilogue))}out, n_partials, "
        f"{plan.attr('scale')!r}, BLOCK=1024, num_warps=4)"),
        "return out",
    ]
    return kernels, forward
