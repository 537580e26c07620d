"""matmul / bmm / nn.Linear with a fused epilogue, or cuBLAS + one fused epilogue kernel.

impl="triton": the tiled kernel of Triton tutorial 03-matrix-multiplication
(GROUP_M row swizzle for L2 reuse, fp32 accumulation), optionally persistent
(a grid of one program per SM looping over tiles, as in tutorial 09). Operands
are read through strides, so x @ w.T and nn.Linear's weight need no copy.
fp32 problems use input_precision "ieee" or "tf32x3" (config PRECISION; see
common.dot_precision), never plain TF32, which would change the numerics.
impl="torch": torch.matmul (cuBLAS) then the epilogue in one pointwise kernel.
"""

from __future__ import annotations

import math

from . import pointwise
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


def _operand_views(plan) -> list[str]:
    batch, m, n, k = (plan.attr(x) for x in ("batch", "M", "N", "K"))
    a = leaf_expr(plan, plan.attr("a")) + (".transpose(-2, -1)" if plan.attr("a_t") else "")
    b = leaf_expr(plan, plan.attr("b")) + (".transpose(-2, -1)" if plan.attr("b_t") else "")
    if batch == 1:
        return [f"a = {a}.reshape({m}, {k})", f"b = {b}.reshape({k}, {n})"]
    return [f"a = {a}.reshape({batch}, {m}, {k})", f"b = {b}.reshape({batch}, {k}, {n})"]


def _triton_kernel(plan, config) -> str:
    indices = region_operands(plan.epilogue)
    lines, value = emit_region(plan.epilogue, plan.operands, "offs", "mask", "acc", prefix="e")
    epilogue = "\n".join("        " + line for line in lines)
    precision = dot_precision(plan, config)
    m, n, k, batch = (plan.attr(x) for x in ("M", "N", "K", "batch"))
    element = {"float32": 4}.get(plan.dtype, 2)
    moved = (batch * (m * k + k * n + m * n) + len(indices) * m * n * batch) * element
    return f'''
@triton.jit
def matmul_kernel(a_ptr, b_ptr, {operand_params(indices)}out_ptr, M, N, K,
        stride_ab, stride_am, stride_ak, stride_bb, stride_bk, stride_bn, BATCH,
        BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr,
        GROUP_M: tl.constexpr):
    """out[b, m, n] = epilogue(sum_k a[b, m, k] * b[b, k, n]) for [{batch}, {m}, {k}] x [{k}, {n}].

    a and b are read through strides (transposes are free); out is contiguous
    [BATCH, M, N]. Compulsory traffic about {moved / 1e6:.1f} MB; {2 * batch * m * n * k / 1e9:.2f} GFLOP.
    Tiles are visited GROUP_M rows at a time; a persistent launch loops over tiles.
    """
    num_m = tl.cdiv(M, BLOCK_M)
    num_n = tl.cdiv(N, BLOCK_N)
    tiles_per_batch = num_m * num_n
    for tile in range(tl.program_id(0), tiles_per_batch * BATCH, tl.num_programs(0)):
        batch = tile // tiles_per_batch
        local = tile % tiles_per_batch
        group_size = GROUP_M * num_n
        first_m = (local // group_size) * GROUP_M
        group_rows = tl.minimum(num_m - first_m, GROUP_M)
        pid_m = first_m + (local % group_size) % group_rows
        pid_n = (local % group_size) // group_rows
        rm = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
        rn = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
        rk = tl.arange(0, BLOCK_K)
        a_ptrs = a_ptr + batch.to(tl.int64) * stride_ab + rm[:, None] * stride_am + rk[None, :] * stride_ak
        b_ptrs = b_ptr + batch.to(tl.int64) * stride_bb + rk[:, None] * stride_bk + rn[None, :] * stride_bn
        acc = tl.zeros([BLOCK_M, BLOCK_N], dtype=tl.float32)
        for k0 in range(0, K, BLOCK_K):
            a = tl.load(a_ptrs, mask=(rm[:, None] < M) & (rk[None, :] + k0 < K), other=0.0)
            b = tl.load(b_ptrs, mask=(rk[:, None] + k0 < K) & (rn[None, :] < N), other=0.0)
            acc = tl.dot(a, b, acc{precision})
            a_ptrs += BLOCK_K * stride_ak
            b_ptrs += BLOCK_K * stride_bk
        mask = (rm[:, None] < M) & (rn[None, :] < N)
        offs = batch.to(tl.int64) * M * N + rm[:, None].to(tl.int64) * N + rn[None, :]
{epilogue}
        tl.store(out_ptr + offs, {value}, mask=mask)
'''


def render(plan, config) -> tuple[str, list[str]]:
    batch, m, n, k = (plan.attr(x) for x in ("batch", "M", "N", "K"))
    out = (f"out = torch.empty({tuple(plan.out_shape)!r}, device={plan.inputs[0][0]}.device, "
           f"dtype=torch.{plan.out_dtype})")
    forward = _operand_views(plan)
    helpers = TANH_HELPER if uses_tanh(plan.epilogue) else ""
    if config["impl"] == "torch":
        kernels = helpers + pointwise.kernel_source(plan, plan.epilogue, "epilogue_kernel", True)
        forward += ["head = torch.matmul(a, b).contiguous()", out]
        forward += pointwise.launch_lines(plan, plan.epilogue, "epilogue_kernel", "head", "out",
                                          config)
        return kernels, forward + ["return out"]
    kernels = helpers + _triton_kernel(plan, config)
    tiles = batch * math.ceil(m / config["BLOCK_M"]) * math.ceil(n / config["BLOCK_N"])
    strides_a = ("a.stride(0), a.stride(1), a.stride(2)" if batch > 1 else "0, a.stride(0), a.stride(1)")
    strides_b = ("b.stride(0), b.stride(1), b.stride(2)" if batch > 1 else "0, b.stride(0), b.stride(1)")
    forward.append(out)
    if config["PERSISTENT"]:
        forward.append("programs = torch.cuda.get_device_properties(out.device).multi_processor_count "
                       "if out.is_cuda else 4")
        forward.append(f"grid = (min({tiles}, programs),)")
    else:
        forward.append(f"grid = ({tiles},)")
    forward.append(
        f"matmul_kernel[grid](a, b, {operand_launch_args(plan, region_operands(plan.epilogue))}out, "
        f"{m}, {n}, {k}, {strides_a}, {strides_b}, {batch}, BLOCK_M={config['BLOCK_M']}, "
        f"BLOCK_N={config['BLOCK_N']}, BLOCK_K={config['BLOCK_K']}, GROUP_M={config['GROUP_M']}, "
        f"num_warps={config['num_warps']}, num_stages={config['num_stages']})")
    return kernels, forward + ["return out"]
