"""Scaled dot-product attention, flash-attention style (forward only).

Triton tutorial 06-fused-attention's forward: a program owns BLOCK_M query
rows of one (batch, head), streams K/V in BLOCK_N tiles and keeps the softmax
online (running max m, running sum l, rescaled accumulator), so the L x S
score matrix never reaches memory. Bytes: q, k, v read (k, v once per query
block) and o written once. fp32 dots use input_precision "ieee" or "tf32x3"
(config PRECISION; see common.dot_precision).
"""

from __future__ import annotations

from .common import (
    TANH_HELPER,
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
    kernels = (TANH_HELPER if uses_tanh(plan.epilogue) else "") + f'''
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
        scores = tl.dot(q, k_t{precision}) * SCALE
        valid = (offs_n[None, :] < S){causal_mask}
        scores = tl.where(valid, scores, -float('inf'))
        m_new = tl.maximum(m_i, tl.max(scores, axis=1))
        m_safe = tl.where(m_new == -float('inf'), 0.0, m_new)
        p = tl.exp(scores - m_safe[:, None])
        alpha = tl.exp(m_i - m_safe)
        l_i = l_i * alpha + tl.sum(p, axis=1)
        v = tl.load(v_ptr + bh * S * DV + offs_n[:, None] * DV + offs_dv[None, :],
                    mask=(offs_n[:, None] < S) & (offs_dv[None, :] < DV), other=0.0)
        acc = acc * alpha[:, None] + tl.dot(p.to(v.dtype), v{precision})
        m_i = m_new
    o = acc / tl.where(l_i > 0, l_i, 1.0)[:, None]
    mask = (offs_m[:, None] < L) & (offs_dv[None, :] < DV)
    offs = bh * L * DV + offs_m[:, None] * DV + offs_dv[None, :]
{epilogue}
    tl.store(out_ptr + offs, {value}, mask=mask)
'''
    q, k, v = (leaf_expr(plan, plan.attr(x)) for x in ("q", "k", "v"))
    forward = [
        f"q = {q}.reshape({batch}, {length}, {dim}).contiguous()",
        f"k = {k}.reshape({batch}, {keys}, {dim}).contiguous()",
        f"v = {v}.reshape({batch}, {keys}, {dim_v}).contiguous()",
        f"out = torch.empty({tuple(plan.out_shape)!r}, device=q.device, dtype=torch.{plan.out_dtype})",
        f"grid = (triton.cdiv({length}, {config['BLOCK_M']}), {batch})",
        (f"attention_kernel[grid](q, k, v, {operand_launch_args(plan, indices)}out, {length}, {keys}, "
        f"{dim}, {dim_v}, {plan.attr('scale')!r}, BLOCK_M={config['BLOCK_M']}, "
        f"BLOCK_N={config['BLOCK_N']}, BLOCK_D={_pow2_at_least_16(dim)}, "
        f"BLOCK_DV={_pow2_at_least_16(dim_v)}, num_warps={config['num_warps']}, "
        f"num_stages={config['num_stages']})"),
        "return out",
    ]
    return kernels, forward
