"""Scaled dot-product attention, flash-attention style (forward only).

Triton tutorial 06-fused-attention's forward: a program owns BLOCK_M query
rows of one (batch, head), streams K/V in BLOCK_N tiles and keeps the softmax
online (running max m, running sum l, rescaled accumulator), so the L x S
score matrix never reaches memory. Bytes: q, k, v read (k, v once per query
block) and o written once. fp32 dots use input_precision "ieee" or "tf32x3"
(config PRECISION; see common.dot_precision).
"""

from __future__ import annotations

import math

from ..expr import Unsupported
from ..family import Family
from ..graph import Ref
from ..heuristics import attention_fits_shared_memory, device_facts, fp32_precisions, grid
from ..patterns import matmul_operand
from .common import (
    TANH_HELPER,
    dot_helpers,
    dot_operand,
    dot_precision,
    emit_region,
    leaf_expr,
    operand_launch_args,
    operand_params,
    region_operands,
    uses_tanh,
)


def _pow2_at_least_16(n: int) -> int:
    return max(16, 1 << (n - 1).bit_length())


def render(plan, config) -> tuple[str, list[str]]:
    batch, length, keys, dim, dim_v = (plan.attr(x) for x in ("batch", "L", "S", "D", "Dv"))
    causal = plan.attr("causal")
    precision = dot_precision(plan, config)
    indices = region_operands(plan.epilogue)
    lines, value = emit_region(plan.epilogue, plan.operands, "offs", "mask", "o", prefix="e")
    epilogue = "\n".join("    " + line for line in lines)
    hi = "tl.minimum(S, (pid_m + 1) * BLOCK_M)" if causal else "S"
    causal_mask = " & (offs_n[None, :] <= offs_m[:, None])" if causal else ""
    kernels = (
        (TANH_HELPER if uses_tanh(plan.epilogue) else "")
        + dot_helpers(plan, config)
        + f'''
@triton.jit
def attention_kernel(q_ptr, k_ptr, v_ptr, {operand_params(indices)}out_ptr, L, S, D, DV, SCALE,
        BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_D: tl.constexpr,
        BLOCK_DV: tl.constexpr):
    """o[bh, l] = softmax(q[bh, l] . k[bh, :]^T * SCALE{" (causal)" if causal else ""}) @ v[bh, :]

    q [BH={batch}, L={length}, D={dim}], k [BH, S={keys}, D], v [BH, S, DV={dim_v}], all contiguous.
    Grid (cdiv(L, BLOCK_M), BH).
    """
    pid_m = tl.program_id(0)
    bh = tl.program_id(1).to(tl.int64)
    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_d = tl.arange(0, BLOCK_D)
    offs_dv = tl.arange(0, BLOCK_DV)
    q = tl.load(q_ptr + bh * L * D + offs_m[:, None] * D + offs_d[None, :],
                mask=(offs_m[:, None] < L) & (offs_d[None, :] < D), other=0.0)
    m_i = tl.zeros([BLOCK_M], dtype=tl.float32) - float('inf')
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    acc = tl.zeros([BLOCK_M, BLOCK_DV], dtype=tl.float32)
    for start_n in range(0, {hi}, BLOCK_N):
        offs_n = start_n + tl.arange(0, BLOCK_N)
        k_t = tl.load(k_ptr + bh * S * D + offs_n[None, :] * D + offs_d[:, None],
                      mask=(offs_n[None, :] < S) & (offs_d[:, None] < D), other=0.0)
        scores = tl.dot({dot_operand(plan, config, "q")}, {dot_operand(plan, config, "k_t")}{precision}) * SCALE
        valid = (offs_n[None, :] < S){causal_mask}
        scores = tl.where(valid, scores, -float('inf'))
        m_new = tl.maximum(m_i, tl.max(scores, axis=1))
        m_safe = tl.where(m_new == -float('inf'), 0.0, m_new)
        p = tl.exp(scores - m_safe[:, None])
        alpha = tl.exp(m_i - m_safe)
        l_i = l_i * alpha + tl.sum(p, axis=1)
        v = tl.load(v_ptr + bh * S * DV + offs_n[:, None] * DV + offs_dv[None, :],
                    mask=(offs_n[:, None] < S) & (offs_dv[None, :] < DV), other=0.0)
        acc = acc * alpha[:, None] + tl.dot({dot_operand(plan, config, "p.to(v.dtype)")}, {dot_operand(plan, config, "v")}{precision})
        m_i = m_new
    o = acc / tl.where(l_i > 0, l_i, 1.0)[:, None]
    mask = (offs_m[:, None] < L) & (offs_dv[None, :] < DV)
    offs = bh * L * DV + offs_m[:, None] * DV + offs_dv[None, :]
{epilogue}
    tl.store(out_ptr + offs, {value}, mask=mask)
'''
    )
    q, k, v = (leaf_expr(plan, plan.attr(x)) for x in ("q", "k", "v"))
    forward = [
        f"q = {q}.reshape({batch}, {length}, {dim}).contiguous()",
        f"k = {k}.reshape({batch}, {keys}, {dim}).contiguous()",
        f"v = {v}.reshape({batch}, {keys}, {dim_v}).contiguous()",
        f"out = torch.empty({tuple(plan.out_shape)!r}, device=q.device, dtype=torch.{plan.out_dtype})",
        f"grid = (triton.cdiv({length}, {config['BLOCK_M']}), {batch})",
        (
            f"attention_kernel[grid](q, k, v, {operand_launch_args(plan, indices)}out, {length}, {keys}, "
            f"{dim}, {dim_v}, {plan.attr('scale')!r}, BLOCK_M={config['BLOCK_M']}, "
            f"BLOCK_N={config['BLOCK_N']}, BLOCK_D={_pow2_at_least_16(dim)}, "
            f"BLOCK_DV={_pow2_at_least_16(dim_v)}, num_warps={config['num_warps']}, "
            f"num_stages={config['num_stages']})"
        ),
        "return out",
    ]
    return kernels, forward


# --- matching -----------------------------------------------------------------


def match(ctx, head):
    q, k, v = (ctx.leaf(head.args[i]) for i in range(3))
    if head.arg(3, "attn_mask") is not None or float(head.arg(4, "dropout_p", 0.0)) != 0.0:
        raise Unsupported("attention with a mask or dropout")
    if head.kwargs.get("enable_gqa"):
        raise Unsupported("grouped-query attention")
    return attention_attrs(ctx, q, k, v, head.arg(6, "scale"), head.arg(5, "is_causal", False))


def explicit_attention(ctx, head):
    """softmax(q @ k^T * scale, dim=-1) @ v, with the scale as a mul/div by a constant."""
    probs = ctx.by_name[head.args[0].name]
    scores = ctx.by_name.get(probs.args[0].name) if isinstance(probs.args[0], Ref) else None
    scale = None
    if scores is not None and scores.kind in ("mul", "div") and not isinstance(scores.args[1], Ref):
        constant = float(scores.args[1])
        scale = constant if scores.kind == "mul" else 1.0 / constant
        scores = ctx.by_name.get(scores.args[0].name) if isinstance(scores.args[0], Ref) else None
    if scores is None or scores.kind != "matmul":
        raise Unsupported("softmax(...) @ v without a q @ k^T score matmul")
    rank = len(scores.shape)
    if probs.arg(1, "dim") % rank != rank - 1:
        raise Unsupported("attention softmax not over the key dim")
    q, q_t = matmul_operand(ctx, scores.args[0])
    k, k_t = matmul_operand(ctx, scores.args[1])
    v, v_t = matmul_operand(ctx, head.args[1])
    if q_t or not k_t or v_t:
        raise Unsupported("attention operands in an unexpected layout")
    return attention_attrs(ctx, q, k, v, scale, False)


def attention_attrs(ctx, q, k, v, scale, causal):
    q_shape, k_shape, v_shape = (tuple(ctx.leaves[n]["shape"]) for n in (q, k, v))
    if (
        not (q_shape[:-2] == k_shape[:-2] == v_shape[:-2])
        or k_shape[-2] != v_shape[-2]
        or q_shape[-1] != k_shape[-1]
    ):
        raise Unsupported(f"attention shapes {q_shape} {k_shape} {v_shape}")
    head_dim = q_shape[-1]
    attrs = {
        "q": q,
        "k": k,
        "v": v,
        "batch": math.prod(q_shape[:-2]),
        "L": q_shape[-2],
        "S": k_shape[-2],
        "D": head_dim,
        "Dv": v_shape[-1],
        "causal": bool(causal),
        "scale": float(scale) if scale is not None else 1.0 / math.sqrt(head_dim),
        "op": "attention",
    }
    return "attention", attrs, (), q_shape, None


# --- config -------------------------------------------------------------------


def attention_tiles(head_dim: int) -> tuple[int, int, int]:
    """(BLOCK_M, BLOCK_N, num_warps). Triton tutorial 06-fused-attention takes 128 x 64
    for head dims ≤ 128 on fp16; with fp32 (3xTF32) q/k/v and head dim 64 on an H200,
    128 x 64 with 8 warps ran 1.45× eager against 1.28× for 64 x 64 with 4
    (benchmarks/results/h200-2026-12-01-probe, problem 30). Wider heads keep smaller tiles."""
    return (128, 64, 8) if head_dim <= 64 else (32, 32, 4)


def space(plan, device=None) -> list[dict]:
    facts = device_facts(device)
    dims = plan.attr("D"), plan.attr("Dv")
    return [
        {**c, **precision}
        for c in grid(
            BLOCK_M=[16, 32, 64, 128], BLOCK_N=[16, 32, 64], num_warps=[4, 8], num_stages=[1, 2, 3]
        )
        if attention_fits_shared_memory(
            c["BLOCK_M"], c["BLOCK_N"], c["num_stages"], *dims, plan.dtype, facts
        )
        for precision in fp32_precisions(plan, device)
    ]


def default(plan, device=None) -> dict:
    block_m, block_n, warps = attention_tiles(plan.attr("D"))
    return {
        "BLOCK_M": block_m,
        "BLOCK_N": block_n,
        "num_warps": warps,
        "num_stages": 2,
        **fp32_precisions(plan, device)[0],
    }


FAMILY = Family(
    name="attention",
    kinds=frozenset({"sdpa"}),
    match=match,
    space=space,
    default=default,
    render=render,
)
