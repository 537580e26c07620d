"""Convolution: cuDNN with everything after it fused into one Triton pass, or an
implicit-GEMM Triton convolution with the chain fused into its store.

With cuDNN (configs without "impl"), the win is the chain that follows the conv
(bias, activation, batch norm, scaling), which eager PyTorch runs as one kernel
per op. The conv is called without its bias so the bias joins the fused pass:
one read and one write of the conv output instead of one per op.

The Triton convolution ("impl": "triton", forward convolutions of 1-3 spatial
dims with stride, padding, dilation and groups, depthwise included, and the
transposed convolutions) is the
implicit GEMM of cuDNN's and CUTLASS's documentation: per group, M = output
positions (N*OD*OH*OW), N = the group's output channels, K = its input channels
times the kernel window; the A tile is gathered from the input with the window's
offsets (zero where padding), the B tile read from the weight as [K, N], and the
epilogue (bias and the pointwise chain) runs on the accumulator before the one
store. The search measures it against cuDNN; a bare convolution has only it.

Both Triton kernels read the input and write the output through strides, so an
input that arrives transposed or permuted (`x.transpose(1, 2)` of a [batch, seq,
dim] x: "in_perm") and an output that leaves through a transpose ("out_perm",
plan.py) are read and written in place, with no copy on either side.
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

from ..expr import Unsupported
from ..family import Family
from ..heuristics import device_facts, fits_shared_memory, fp32_precisions, pointwise_block
from ..patterns import optional_leaf, strided_leaf, unpermuted
from . import pointwise
from .common import (
    TANH_HELPER,
    as_3d,
    dot_helpers,
    dot_operand,
    dot_precision,
    leaf_expr,
    operand_launch_args,
    operand_params,
    region_operands,
    uses_tanh,
)
from .rows import epilogue_lines


def _conv_call(plan) -> str:
    op = plan.op
    x, weight = _input_view(plan), leaf_expr(plan, plan.attr("weight"))
    stride, padding, groups = plan.attr("stride"), plan.attr("padding"), plan.attr("groups")
    dilation = plan.attr("dilation")
    if op.startswith("conv_transpose"):
        return (
            f"torch.nn.functional.{op}({x}, {weight}, None, {stride!r}, {padding!r}, "
            f"{plan.attr('output_padding')!r}, {groups!r}, {dilation!r})"
        )
    return f"torch.nn.functional.{op}({x}, {weight}, None, {stride!r}, {padding!r}, {dilation!r}, {groups!r})"


class _Geometry(NamedTuple):
    """A convolution's sizes, spatial dims front-padded to three (as_3d)."""

    batch: int
    c_in: int
    c_out: int
    groups: int
    size: tuple  # (D, H, W) of the input
    out: tuple  # (OD, OH, OW)
    kernel: tuple  # (KD, KH, KW)
    stride: tuple
    padding: tuple
    dilation: tuple


def _conv_shape(plan) -> tuple:
    """The convolution's own result shape, [N, C_out, spatial...]: `out_shape` is that
    permuted where the plan writes it through a transpose ("out_perm")."""
    perm = plan.attr("out_perm")
    return unpermuted(tuple(plan.out_shape), perm) if perm else tuple(plan.out_shape)


def _input_view(plan) -> str:
    """The convolution's input in forward: the leaf, or the transposed view of it the
    model convolves (a view: the kernels read it through its strides)."""
    x, perm = leaf_expr(plan, plan.attr("x")), plan.attr("in_perm")
    return f"{x}.permute({tuple(perm)!r})" if perm else x


def _layout_lines(plan) -> list[str]:
    """`xv` (the input as the convolution reads it) and `out` with `ov`, the output as the
    convolution writes it: `out` is contiguous in the plan's out_shape, so a kernel's
    offsets through ov's strides are the epilogue's flat indices into out."""
    perm = plan.attr("out_perm")
    inverse = tuple(perm.index(d) for d in range(len(perm))) if perm else None
    return [
        f"xv = {_input_view(plan)}",
        f"out = torch.empty({tuple(plan.out_shape)!r}, device=xv.device, "
        f"dtype=torch.{plan.out_dtype})",
        f"ov = out.permute({inverse!r})" if inverse else "ov = out",
    ]


def _strides(name: str, n: int) -> str:
    """Strides of `name` ([N, C, spatial...], n spatial dims) front-padded to three
    spatial dims as as_3d pads the sizes (a padded dim's index is always 0)."""
    spatial = ["0"] * (3 - n) + [f"{name}.stride({2 + d})" for d in range(n)]
    return ", ".join([f"{name}.stride(0)", f"{name}.stride(1)", *spatial])


def _geometry(plan) -> _Geometry:
    n = len(plan.in_shape) - 2
    batch, c_in, *spatial_in = plan.in_shape
    c_out, *spatial_out = _conv_shape(plan)[1:]
    return _Geometry(
        batch,
        c_in,
        c_out,
        plan.attr("groups") or 1,
        as_3d(spatial_in, n, 1),
        as_3d(spatial_out, n, 1),
        as_3d(plan.attr("weight_shape")[2:], n, 1),
        as_3d(plan.attr("stride") or 1, n, 1),
        as_3d(plan.attr("padding") or 0, n, 0),
        as_3d(plan.attr("dilation") or 1, n, 1),
    )


def _render_triton(plan, config) -> tuple[str, list[str]]:
    g = _geometry(plan)
    batch, c_in, c_out, groups = g.batch, g.c_in, g.c_out, g.groups
    (d, h, w), (od, oh, ow), (kd, kh, kw) = g.size, g.out, g.kernel
    stride, padding, dilation = g.stride, g.padding, g.dilation
    weight_shape = plan.attr("weight_shape")
    transposed = plan.op.startswith("conv_transpose")
    if transposed:  # weight [C_in, C_out / groups, k...]
        c_out_g = weight_shape[1]
    else:  # weight [C_out, C_in / groups, k...]
        c_out_g = c_out // groups
    indices = region_operands(plan.epilogue)
    epilogue, value = epilogue_lines(plan, "    ", "acc", "out_offs", "out_mask")
    helpers = (TANH_HELPER if uses_tanh(plan.epilogue) else "") + dot_helpers(plan, config)
    kernel = f'''
@triton.jit
def conv_kernel(x_ptr, w_ptr, {operand_params(indices)}out_ptr, BATCH, C_IN, D, H, W, C_OUT,
        OD, OH, OW, C_IN_G, C_OUT_G, SXB, SXC, SXD, SXH, SXW, SOB, SOC, SOD, SOH, SOW,
        SD, SH, SW, PD, PH, PW, DD, DH, DW,
        KD: tl.constexpr, KH: tl.constexpr, KW: tl.constexpr,
        BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    """Implicit-GEMM convolution of group program_id(2): [positions, K] x [K, channels].

    Reads the input once per BLOCK_N output channels (the gather's overlap hits L2),
    the weight once per BLOCK_M positions; writes each output once, epilogue fused.
    Input and output go through their strides (SX*, SO*: batch, channel, D, H, W), so
    a transposed input or output is read or written in place.
    """
    pid_m = tl.program_id(0)
    pid_n = tl.program_id(1)
    group = tl.program_id(2)
    m = pid_m.to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
    cn = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    m_mask = m < BATCH * OD * OH * OW
    n_mask = cn < C_OUT_G
    ow = m % OW
    rest = m // OW
    oh = rest % OH
    rest = rest // OH
    od = rest % OD
    b = rest // OD
    k_total = C_IN_G * KD * KH * KW
    acc = tl.zeros([BLOCK_M, BLOCK_N], dtype=tl.float32)
    for k0 in range(0, k_total, BLOCK_K):
        k = k0 + tl.arange(0, BLOCK_K)
        k_mask = k < k_total
        kx = k % KW
        rest_k = k // KW
        ky = rest_k % KH
        rest_k = rest_k // KH
        kz = rest_k % KD
        ci = group * C_IN_G + rest_k // KD
{_gather(transposed)}
        a_offs = b[:, None] * SXB + ci[None, :].to(tl.int64) * SXC + iz * SXD + iy * SXH + ix * SXW
        a = tl.load(x_ptr + a_offs, mask=a_mask, other=0.0)
        w_offs = {_weight_offsets(transposed)}
        b_tile = tl.load(w_ptr + w_offs, mask=k_mask[:, None] & n_mask[None, :], other=0.0)
        acc += tl.dot({dot_operand(plan, config, "a")}, {dot_operand(plan, config, "b_tile")}{dot_precision(plan, config)})
    co = group * C_OUT_G + cn
    out_offs = b[:, None] * SOB + co[None, :].to(tl.int64) * SOC + od[:, None] * SOD + \\
        oh[:, None] * SOH + ow[:, None] * SOW
    out_mask = m_mask[:, None] & n_mask[None, :]
{chr(10).join(epilogue)}
    tl.store(out_ptr + out_offs, {value}, mask=out_mask)
'''
    weight = leaf_expr(plan, plan.attr("weight"))
    bm, bn, bk = config["BLOCK_M"], config["BLOCK_N"], config["BLOCK_K"]
    positions = batch * od * oh * ow
    n = len(plan.in_shape) - 2
    forward = _layout_lines(plan) + [
        f"grid = (triton.cdiv({positions}, {bm}), triton.cdiv({c_out_g}, {bn}), {groups})",
        f"conv_kernel[grid](xv, {weight}.contiguous(), {operand_launch_args(plan, indices)}"
        f"ov, {batch}, {c_in}, {d}, {h}, {w}, {c_out}, {od}, {oh}, {ow}, {c_in // groups}, "
        f"{c_out_g}, {_strides('xv', n)}, {_strides('ov', n)}, "
        f"{', '.join(map(str, stride + padding + dilation))}, KD={kd}, KH={kh}, "
        f"KW={kw}, BLOCK_M={bm}, BLOCK_N={bn}, BLOCK_K={bk}, num_warps={config['num_warps']}, "
        f"num_stages={config['num_stages']})",
        "return out",
    ]
    return helpers + kernel, forward


def _render_direct(plan, config) -> tuple[str, list[str]]:
    """One input channel per group (depthwise, with any channel multiplier): each
    output is KD*KH*KW multiply-adds of one input plane, so there is no GEMM to
    tile. As implicit GEMM its N tile is one channel wide; at 16 columns it ran
    at 0.16x cuDNN on an H200 (benchmarks/results/h200-2026-12-02-corpus-families-bench).

    Input and output go through their strides, so a transposed view (channels last,
    as `conv1d(x.transpose(1, 2))` reads a [batch, seq, dim] x) is read and written in
    place. Which way the lanes run is chosen at run time from the input's strides:
    along a plane's positions where those are its innermost dim, else along the
    channels, so that adjacent lanes read adjacent addresses either way."""
    g = _geometry(plan)
    batch, c_out, groups = g.batch, g.c_out, g.groups
    (d, h, w), (od, oh, ow), (kd, kh, kw) = g.size, g.out, g.kernel
    stride, padding, dilation = g.stride, g.padding, g.dilation
    indices = region_operands(plan.epilogue)
    epilogue, value = epilogue_lines(plan, "    ", "acc", "out_offs", "out_mask")
    helpers = TANH_HELPER if uses_tanh(plan.epilogue) else ""
    kernel = f'''
@triton.jit
def conv_direct_kernel(x_ptr, w_ptr, {operand_params(indices)}out_ptr, BATCH, D, H, W, C_OUT,
        OD, OH, OW, C_OUT_G, N_BLOCKS, SXB, SXC, SXD, SXH, SXW, SOB, SOC, SOD, SOH, SOW,
        SD, SH, SW, PD, PH, PW, DD, DH, DW,
        KD: tl.constexpr, KH: tl.constexpr, KW: tl.constexpr, BLOCK: tl.constexpr,
        CHANNELS_INNER: tl.constexpr):
    """Direct convolution, one input channel per group: output (b, co, position) from
    input plane (b, co // C_OUT_G), KD*KH*KW taps.

    Program pid computes BLOCK positions of output plane (b, co) (CHANNELS_INNER
    false: lanes on adjacent columns), or BLOCK outputs of a [batch, positions,
    channels] order (lanes on adjacent channels). The taps' overlap hits L1/L2; each
    output is written once, epilogue fused.
    """
    pid = tl.program_id(0)
    if CHANNELS_INNER:
        e = pid.to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
        p_mask = e < BATCH * OD * OH * OW * C_OUT
        co = e % C_OUT
        rest = e // C_OUT
        p = rest % (OD * OH * OW)
        b = rest // (OD * OH * OW)
    else:
        plane = (pid // N_BLOCKS).to(tl.int64)
        p = (pid % N_BLOCKS) * BLOCK + tl.arange(0, BLOCK)
        p_mask = p < OD * OH * OW
        co = plane % C_OUT
        b = plane // C_OUT
    x_base = b * SXB + (co // C_OUT_G) * SXC
    ow = p % OW
    oh = (p // OW) % OH
    od = p // (OW * OH)
    acc = tl.zeros([BLOCK], dtype=tl.float32)
    for kz in range(0, KD):
        iz = od * SD - PD + kz * DD
        for ky in range(0, KH):
            iy = oh * SH - PH + ky * DH
            for kx in range(0, KW):
                ix = ow * SW - PW + kx * DW
                ok = p_mask & (iz >= 0) & (iz < D) & (iy >= 0) & (iy < H) & (ix >= 0) & (ix < W)
                v = tl.load(x_ptr + x_base + iz * SXD + iy * SXH + ix * SXW, mask=ok, other=0.0)
                tap = tl.load(w_ptr + co * (KD * KH * KW) + (kz * KH + ky) * KW + kx)
                acc += v.to(tl.float32) * tap.to(tl.float32)
    out_offs = b * SOB + co * SOC + od * SOD + oh * SOH + ow * SOW
    out_mask = p_mask
{chr(10).join(epilogue)}
    tl.store(out_ptr + out_offs, {value}, mask=out_mask)
'''
    weight = leaf_expr(plan, plan.attr("weight"))
    block = config["BLOCK"]
    positions = od * oh * ow
    n_blocks = -(-positions // block)
    n = len(plan.in_shape) - 2
    forward = _layout_lines(plan) + [
        # channels nearer the input's innermost dim than its last spatial dim (channels last)
        f"inner = xv.stride(1) < xv.stride({1 + n})",
        f"grid = (triton.cdiv({batch * positions * c_out}, {block}) if inner "
        f"else {batch * c_out * n_blocks},)",
        f"conv_direct_kernel[grid](xv, {weight}.contiguous(), "
        f"{operand_launch_args(plan, indices)}ov, {batch}, {d}, {h}, {w}, "
        f"{c_out}, {od}, {oh}, {ow}, {c_out // groups}, {n_blocks}, "
        f"{_strides('xv', n)}, {_strides('ov', n)}, "
        f"{', '.join(map(str, stride + padding + dilation))}, KD={kd}, KH={kh}, KW={kw}, "
        f"BLOCK={block}, CHANNELS_INNER=inner, num_warps={config['num_warps']})",
        "return out",
    ]
    return helpers + kernel, forward


def _one_channel_per_group(plan) -> bool:
    """A forward convolution whose groups each read one input channel (depthwise)."""
    return not plan.op.startswith("conv_transpose") and plan.attr("weight_shape")[1] == 1


def _gather(transposed: bool) -> str:
    """Input coordinates of a K column's element for each output position, and the mask.

    Forward: i = o * stride - padding + k * dilation. Transposed (the forward's
    gradient with respect to its input): output o receives input i where
    i * stride - padding + k * dilation = o, so i = (o + padding - k * dilation) /
    stride where that divides exactly (a gather: no atomics, each output written once).
    """
    lines = []
    for axis, o, k, size in (
        ("z", "od", "kz", "D"),
        ("y", "oh", "ky", "H"),
        ("x", "ow", "kx", "W"),
    ):
        s_, p_, d_ = (f"{c}{'DHW'['zyx'.index(axis)]}" for c in "SPD")
        if transposed:
            lines += [
                f"        t{axis} = {o}[:, None] + {p_} - {k}[None, :] * {d_}",
                f"        i{axis} = t{axis} // {s_}",
                f"        ok_{axis} = (t{axis} >= 0) & (t{axis} % {s_} == 0) & (i{axis} < {size})",
            ]
        else:
            lines += [
                f"        i{axis} = {o}[:, None] * {s_} - {p_} + {k}[None, :] * {d_}",
                f"        ok_{axis} = (i{axis} >= 0) & (i{axis} < {size})",
            ]
    lines.append("        a_mask = m_mask[:, None] & k_mask[None, :] & ok_z & ok_y & ok_x")
    return "\n".join(lines)


def _weight_offsets(transposed: bool) -> str:
    """The [BLOCK_K, BLOCK_N] weight tile: w[co, ci_g, k...] for a forward convolution
    (K columns contiguous per output channel), w[ci, co_g, k...] transposed."""
    if transposed:
        return (
            "((ci[:, None].to(tl.int64) * C_OUT_G + cn[None, :]) * (KD * KH * KW) "
            "+ (k % (KD * KH * KW))[:, None])"
        )
    return "(group * C_OUT_G + cn[None, :]).to(tl.int64) * k_total + k[:, None]"


def render(plan, config) -> tuple[str, list[str]]:
    if config.get("impl") == "triton":
        return _render_triton(plan, config)
    if config.get("impl") == "direct":
        return _render_direct(plan, config)
    helpers = TANH_HELPER if uses_tanh(plan.epilogue) else ""
    kernels = helpers + pointwise.kernel_source(plan, plan.epilogue, "conv_epilogue_kernel", True)
    perm = plan.attr("out_perm")
    # Laid out as the output, which the epilogue pass indexes flat: a transposed
    # output costs a copy here (the direct and implicit-GEMM kernels write it in place).
    laid_out = f".permute({tuple(perm)!r})" if perm else ""
    forward = [
        f"head = {_conv_call(plan)}{laid_out}.contiguous()",
        f"out = torch.empty({tuple(plan.out_shape)!r}, device=head.device, dtype=torch.{plan.out_dtype})",
    ]
    forward += pointwise.launch_lines(
        plan, plan.epilogue, "conv_epilogue_kernel", "head", "out", config
    )
    return kernels, forward + ["return out"]


# --- matching -----------------------------------------------------------------


def match(ctx, head):
    # A transposed or permuted input (`x.transpose(1, 2)` of a [batch, seq, dim] x)
    # is read through its strides: "in_perm", and in_shape is the view's shape.
    x, in_perm = strided_leaf(ctx, head.args[0])
    weight = ctx.leaf(head.arg(1, "weight"))
    bias = optional_leaf(ctx, head.arg(2, "bias"))
    if head.kwargs.get("padding_mode", "zeros") != "zeros":
        raise Unsupported("convolution padding_mode other than zeros")
    spatial = len(ctx.leaves[weight]["shape"]) - 2
    transposed = head.kind.startswith("conv_transpose")
    if transposed:  # (input, weight, bias, stride, padding, output_padding, groups, dilation)
        names = ("stride", "padding", "output_padding", "groups", "dilation")
        defaults = (1, 0, 0, 1, 1)
    else:  # (input, weight, bias, stride, padding, dilation, groups)
        names = ("stride", "padding", "dilation", "groups")
        defaults = (1, 0, 1, 1)
    attrs = {
        name: head.arg(3 + i, name, fallback)
        for i, (name, fallback) in enumerate(zip(names, defaults))
    }
    attrs = {k: tuple(v) if isinstance(v, list) else v for k, v in attrs.items()}
    attrs.update(
        x=x,
        weight=weight,
        op=f"conv{'_transpose' if transposed else ''}{spatial}d",
        weight_shape=tuple(ctx.leaves[weight]["shape"]),
    )
    if in_perm is not None:
        attrs["in_perm"] = in_perm
    channels = head.shape[1]  # the convolution's own result (plan.py may permute it)
    bias_info = (bias, (channels,) + (1,) * spatial) if bias else None
    return "conv", attrs, (), ctx.shape_of(head.args[0]), bias_info


# --- config -------------------------------------------------------------------


def _bare_conv(plan) -> bool:
    """Nothing after the convolution: cuDNN alone would be the reference itself."""
    return not plan.epilogue


def _transposed_output(plan) -> bool:
    """The output is written through a transpose or permute ("out_perm"), which the
    cuDNN path lays out with one more pass over it."""
    return bool(plan.attr("out_perm"))


def space(plan, device=None) -> list[dict]:
    """cuDNN + a fused epilogue pass (BLOCK, num_warps), the direct kernel where each
    group reads one input channel ("impl": "direct"), and implicit-GEMM Triton tiles
    ("impl": "triton"); a bare convolution has only the Triton kernels."""
    facts = device_facts(device)
    configs = [] if _bare_conv(plan) else pointwise.pass_space()
    if _one_channel_per_group(plan):
        configs += [
            {"impl": "direct", "BLOCK": block, "num_warps": warps}
            for block in (256, 512, 1024)
            for warps in (4, 8)
        ]
    for (bm, bn, bk), warps, stages, precision in itertools.product(
        [
            (32, 16, 32),
            (64, 16, 32),
            (64, 32, 32),
            (64, 64, 32),
            (128, 64, 32),
            (128, 128, 32),
            (64, 128, 32),
            (256, 64, 32),
            (64, 64, 64),
            (128, 32, 16),
        ],
        [4, 8],
        [2, 3],
        fp32_precisions(plan, device),
    ):
        if fits_shared_memory(bm, bn, bk, stages, plan.dtype, facts):
            configs.append(
                {
                    "impl": "triton",
                    "BLOCK_M": bm,
                    "BLOCK_N": bn,
                    "BLOCK_K": bk,
                    "num_warps": warps,
                    "num_stages": stages,
                    **precision,
                }
            )
    return configs


def library_first(plan) -> bool:
    """A bare convolution other than depthwise, as one stage of several: cuDNN is
    expected to win. The implicit-GEMM tiles ran bare convolutions at 0.38-0.46x
    cuDNN on an H200 (benchmarks/results/h200-2026-12-02-corpus-families-bench,
    062 and 064), and as the first candidate of Conv2d -> training BatchNorm ->
    ReLU (the statistics' reductions after it) at 0.30x eager
    (benchmarks/results/h200-2026-12-02-corpus-bn-recheck, 191). Depthwise has
    the direct kernel, which won (065: 1.82x)."""
    return _bare_conv(plan) and not _one_channel_per_group(plan)


def _triton_conv_default(plan, device=None) -> dict:
    """The group's output channels decide the tile. On an H200, over six bare fp32
    convolutions and eight tiles each (benchmarks/results/h200-2026-12-03-conv-tiles),
    64 positions x 128 channels x K 32 was the best or within 3% of it at 128
    channels, and 64 x 64 x K 64 the best on three of four below (the fourth, a
    transposed convolution, at 0.03x eager against its best 0.05x); a depthwise-like
    group (16 channels or fewer) keeps a 16-wide N tile. Two stages where three do
    not fit the device's shared memory."""
    channels = _conv_shape(plan)[1] // (plan.attr("groups") or 1)  # per group, either kind
    (bn, bk), stages = (
        ((16, 32), 2) if channels <= 16 else ((64, 64), 3) if channels < 128 else ((128, 32), 3)
    )
    if not fits_shared_memory(64, bn, bk, stages, plan.dtype, device_facts(device)):
        stages = 2
    return {
        "impl": "triton",
        "BLOCK_M": 64,
        "BLOCK_N": bn,
        "BLOCK_K": bk,
        "num_warps": 4,
        "num_stages": stages,
        **fp32_precisions(plan, device)[0],
    }


def default(plan, device=None) -> dict:
    """The direct kernel for a depthwise convolution with nothing after it, or whose
    output leaves through a transpose: there cuDNN's path would read and write the
    output twice more (its epilogue pass, and the copy that lays it out), where the
    direct kernel writes it once with the chain fused. On an H200, benchmarks/corpus/166
    at full size (32 x 2048 x 512 fp32; do_bench, one run) took 148 us this way at
    BLOCK 512 and 4 warps, against eager's 626 us and cuDNN's path's 854 us."""
    if _one_channel_per_group(plan) and (_bare_conv(plan) or _transposed_output(plan)):
        return {"impl": "direct", "BLOCK": 512, "num_warps": 4}
    if _bare_conv(plan):
        return _triton_conv_default(plan, device)
    return {"BLOCK": pointwise_block(math.prod(plan.out_shape)), "num_warps": 4}


FAMILY = Family(
    name="conv",
    kinds=frozenset({"conv", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"}),
    match=match,
    space=space,
    default=default,
    render=render,
    library_first=library_first,
    permuted_output=True,
)
