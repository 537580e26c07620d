"""matmul / bmm / nn.Linear with a fused epilogue, or cuBLAS + one fused epilogue kernel.

impl="triton": the tiled kernel of Triton tutorial 03-matrix-multiplication
(GROUP_M row swizzle for L2 reuse, fp32 accumulation), optionally persistent
(a grid of one program per SM looping over tiles, as in tutorial 09). Operands
are read through strides, so x @ w.T and nn.Linear's weight need no copy.
fp32 problems use input_precision "ieee" or "tf32x3" (config PRECISION; see
common.dot_precision), never plain TF32, which would change the numerics.
impl="torch": torch.matmul (cuBLAS) then the epilogue in one pointwise kernel; not
the default when that epilogue is a bias alone (`bias_only`).
"""

from __future__ import annotations

import itertools
import math

from ..expr import Unsupported
from ..family import Family
from ..graph import Ref
from ..heuristics import device_facts, fits_shared_memory, fp32_precisions, grid
from ..patterns import logical_shape, matmul_operand, optional_leaf
from ..size import Size
from . import attention, pointwise
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
            acc = tl.dot({dot_operand(plan, config, "a")}, {dot_operand(plan, config, "b")}, acc{precision})
            a_ptrs += BLOCK_K * stride_ak
            b_ptrs += BLOCK_K * stride_bk
        mask = (rm[:, None] < M) & (rn[None, :] < N)
        offs = batch.to(tl.int64) * M * N + rm[:, None].to(tl.int64) * N + rn[None, :]
{epilogue}
        tl.store(out_ptr + offs, {value}, mask=mask)
'''


def render(plan, config) -> tuple[str, list[str]]:
    batch, m, n, k = (plan.attr(x) for x in ("batch", "M", "N", "K"))
    out = (
        f"out = torch.empty({tuple(plan.out_shape)!r}, device={plan.inputs[0][0]}.device, "
        f"dtype=torch.{plan.out_dtype})"
    )
    forward = _operand_views(plan)
    helpers = TANH_HELPER if uses_tanh(plan.epilogue) else ""
    if config["impl"] == "torch":
        kernels = helpers + pointwise.kernel_source(plan, plan.epilogue, "epilogue_kernel", True)
        forward += ["head = torch.matmul(a, b).contiguous()", out]
        forward += pointwise.launch_lines(
            plan, plan.epilogue, "epilogue_kernel", "head", "out", config
        )
        return kernels, forward + ["return out"]
    kernels = helpers + dot_helpers(plan, config) + _triton_kernel(plan, config)
    tiles = batch * _cdiv(m, config["BLOCK_M"]) * _cdiv(n, config["BLOCK_N"])
    strides_a = (
        "a.stride(0), a.stride(1), a.stride(2)" if batch > 1 else "0, a.stride(0), a.stride(1)"
    )
    strides_b = (
        "b.stride(0), b.stride(1), b.stride(2)" if batch > 1 else "0, b.stride(0), b.stride(1)"
    )
    forward.append(out)
    if config["PERSISTENT"]:
        forward.append(
            "programs = torch.cuda.get_device_properties(out.device).multi_processor_count "
            "if out.is_cuda else 4"
        )
        forward.append(f"grid = (min({tiles}, programs),)")
    else:
        forward.append(f"grid = ({tiles},)")
    forward.append(
        f"matmul_kernel[grid](a, b, {operand_launch_args(plan, region_operands(plan.epilogue))}out, "
        f"{m}, {n}, {k}, {strides_a}, {strides_b}, {batch}, BLOCK_M={config['BLOCK_M']}, "
        f"BLOCK_N={config['BLOCK_N']}, BLOCK_K={config['BLOCK_K']}, GROUP_M={config['GROUP_M']}, "
        f"num_warps={config['num_warps']}, num_stages={config['num_stages']})"
    )
    return kernels, forward + ["return out"]


def _cdiv(size: int, block: int) -> int:
    """Blocks over `size`; a size read at run time (agent/generator/size.py) stays code."""
    blocks = -(-int(size) // block)
    return Size(blocks, f"triton.cdiv({size.expr}, {block})") if isinstance(size, Size) else blocks


# --- matching -----------------------------------------------------------------


def match(ctx, head):
    if head.kind == "linear":
        a = ctx.leaf(head.args[0])
        weight = ctx.leaf(head.arg(1, "weight"))
        bias = optional_leaf(ctx, head.arg(2, "bias"))
        n, k = ctx.leaves[weight]["shape"]
        m = math.prod(ctx.leaves[a]["shape"]) // k
        attrs = {
            "a": a,
            "b": weight,
            "a_t": False,
            "b_t": True,
            "batch": 1,
            "M": m,
            "N": n,
            "K": k,
            "op": "linear",
            "bias_name": bias,
        }
        return "matmul", attrs, (), tuple(ctx.leaves[a]["shape"]), (bias, (n,)) if bias else None
    first = head.args[0]
    if (
        isinstance(first, Ref)
        and first.name in ctx.by_name
        and ctx.by_name[first.name].kind == "softmax"
    ):
        return attention.explicit_attention(ctx, head)
    (a, a_t), (b, b_t) = matmul_operand(ctx, head.args[0]), matmul_operand(ctx, head.args[1])
    a_shape, b_shape = logical_shape(ctx, a, a_t), logical_shape(ctx, b, b_t)
    if len(b_shape) == 2 and len(a_shape) >= 2 and not a_t:
        batch, m = 1, math.prod(a_shape[:-1])  # [..., M, K] @ [K, N]: fold batch into M
    elif len(a_shape) == len(b_shape) >= 2 and a_shape[:-2] == b_shape[:-2]:
        batch, m = math.prod(a_shape[:-2]), a_shape[-2]
    else:
        raise Unsupported(f"matmul of {a_shape} and {b_shape}")
    if a_shape[-1] != b_shape[-2]:
        raise Unsupported("matmul inner dims differ")
    attrs = {
        "a": a,
        "b": b,
        "a_t": a_t,
        "b_t": b_t,
        "batch": batch,
        "M": m,
        "N": b_shape[-1],
        "K": a_shape[-1],
        "op": "matmul",
        "bias_name": None,
    }
    return "matmul", attrs, (), a_shape, None


# --- config -------------------------------------------------------------------


def matmul_tiles(dtype: str) -> dict:
    """16-bit inputs: 128x256x64 with 8 warps and 3 stages, the first entry of Triton
    tutorial 03's autotune list and tutorial 09's Hopper fp16 tile; 128x128x64 ran
    an 8192x4096x4096 fp16 Linear at 445 TFLOP/s against cuBLAS's 691 on an H200
    (benchmarks/results/h200-2026-12-01-bench, problem 33). fp32 (3xTF32 dots): 128x64x32 with 4
    warps and 4 stages, the fastest of seven tiles on a 4096³ fp32 matmul on an
    H200 (1.02× cuBLAS SGEMM; 64x64x32 0.67×, 128x128x32 0.39×; 128x256x64 does
    not fit shared memory; benchmarks/results/h200-2026-12-01-probe)."""
    if dtype == "float32":
        return {"BLOCK_M": 128, "BLOCK_N": 64, "BLOCK_K": 32, "num_warps": 4, "num_stages": 4}
    return {"BLOCK_M": 128, "BLOCK_N": 256, "BLOCK_K": 64, "num_warps": 8, "num_stages": 3}


def triton_matmul_config(plan, device=None) -> dict:
    """The Triton tile kernel's starting point (the fused-epilogue alternative to
    cuBLAS when `prefer_torch_matmul`)."""
    return {
        "impl": "triton",
        **matmul_tiles(plan.dtype),
        "GROUP_M": 8,
        "PERSISTENT": False,
        **fp32_precisions(plan, device)[0],
    }


def prefer_torch_matmul(plan) -> bool:
    """With an epilogue to fuse, the first candidate keeps cuBLAS's matmul and fuses
    the chain after it; the embedded proposer's next root candidate is the Triton
    tile kernel (`triton_matmul_default`), so a short search measures both.

    cuBLAS first because it is never far off: on an H200 eager fp16 Linear ran at
    691 TFLOP/s (92%) where the 128×128×64 Triton tile reached 445, and a search
    with time for one candidate kept that 0.64× (benchmarks/results/h200-2026-12-01-bench,
    problem 33). Where Triton wins (3xTF32 fp32 tiles: 1.39× and 1.47× on 25 and
    27, benchmarks/results/h200-2026-12-01-bench-vs-max-autotune), the second candidate finds it."""
    return bool(plan.epilogue) and not bias_only(plan)


def bias_only(plan) -> bool:
    """The epilogue is nn.Linear's bias and nothing else. cuBLAS adds a bias in its
    own epilogue (addmm, as eager runs nn.Linear), so cuBLAS then a Triton pass for
    the bias only adds a pass over the output; the Triton tiles fuse it for free,
    and in a chain of kernels the library choice (partition.py) is eager's addmm.
    As cuBLAS plus a bias pass, LayerNorm -> Linear ran at 0.97x eager on an H200
    (benchmarks/results/h200-2026-12-02-corpus-families-bench, problem 130)."""
    if len(plan.epilogue) != 1:
        return False
    step = plan.epilogue[0]
    others = [arg for arg in step.args if arg != ("head",)]
    if step.op != "add" or len(others) != 1 or others[0][0] != "operand":
        return False
    bias = plan.operands[others[0][1]]
    return bias.mode == "slice" and bias.inner == 1 and bias.count == plan.out_shape[-1]


_MATMUL_TILES = [  # tutorial 03's autotune list (BLOCK_M, BLOCK_N, BLOCK_K, warps, stages)
    (128, 256, 64, 8, 3),
    (64, 256, 32, 4, 4),
    (128, 128, 32, 4, 4),
    (128, 64, 32, 4, 4),
    (64, 128, 32, 4, 4),
    (128, 32, 32, 4, 4),
    (64, 32, 32, 2, 5),
    (32, 64, 32, 2, 5),
    (64, 64, 32, 4, 3),
    (128, 128, 64, 8, 3),
]


def space(plan, device=None) -> list[dict]:
    """Triton tiles whose pipeline fits the device's shared memory; with an epilogue,
    cuBLAS's matmul and one fused Triton epilogue kernel too."""
    facts = device_facts(device)
    configs = []
    for (bm, bn, bk, warps, stages), group, persistent, precision in itertools.product(
        _MATMUL_TILES, [1, 8], [False, True], fp32_precisions(plan, device)
    ):
        if not fits_shared_memory(bm, bn, bk, stages, plan.dtype, facts):
            continue
        configs.append(
            {
                "impl": "triton",
                "BLOCK_M": bm,
                "BLOCK_N": bn,
                "BLOCK_K": bk,
                "GROUP_M": group,
                "PERSISTENT": persistent,
                "num_warps": warps,
                "num_stages": stages,
                **precision,
            }
        )
    if plan.epilogue:
        configs += [
            {"impl": "torch", **c} for c in grid(BLOCK=[512, 1024, 2048, 4096], num_warps=[4, 8])
        ]
    return configs


def default(plan, device=None) -> dict:
    if prefer_torch_matmul(plan):
        return {"impl": "torch", "BLOCK": 1024, "num_warps": 4}
    return triton_matmul_config(plan, device)


FAMILY = Family(
    name="matmul",
    kinds=frozenset({"matmul", "linear"}),
    match=match,
    space=space,
    default=default,
    render=render,
)
