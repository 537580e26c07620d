"""Max, average and adaptive average pooling over 1, 2 or 3 spatial dims.

One program computes BLOCK outputs of the flat [N*C, O0, O1, O2] output (spatial
dims front-padded with size 1, so one kernel serves 1-D, 2-D and 3-D) and walks
each output's window: input index o*stride - padding + k*dilation per dim
(adaptive: floor(o*I/O) to ceil((o+1)*I/O), PyTorch's rule). Out-of-range
positions are skipped (max) or add nothing (avg); the average divides by
PyTorch's divisor: the window clipped to the padded input with
count_include_pad, the valid positions without, or divisor_override. Window
sizes are run-time loop bounds, not unrolled: an adaptive pool to 1x1 has a
window of the whole image. Reads each input element about prod(kernel/stride)
times (L2 absorbs the overlap), writes each output once; the pointwise work
before (prologue) and after (epilogue) is fused.

Large windows (global and adaptive pooling to a few outputs: a 56 x 56 window
per output) take a second layout ("WINDOW" in the config): a [BLOCK, WINDOW]
tile of BLOCK outputs by WINDOW adjacent window positions, reduced along the
window. One lane per output walked 3136 positions alone, strided by a whole
plane between lanes, and ran at 0.22x eager on an H200
(benchmarks/results/h200-2026-12-02-corpus-families-bench); adjacent lanes
now read adjacent addresses.
"""

from __future__ import annotations

import math

from ..expr import Unsupported
from ..family import Family
from ..heuristics import grid, next_pow2, pointwise_block
from ..patterns import copy_of
from .common import TANH_HELPER, as_3d, uses_tanh
from .rows import (
    empty_output,
    epilogue_lines,
    kernel_operand_args,
    kernel_operand_params,
    prologue_lines,
)


def _window(kind: str, in_size: int, out_size: int, kernel: int) -> int:
    if kind != "adaptive_avg":
        return kernel
    return max(
        -(-((o + 1) * in_size) // out_size) - (o * in_size) // out_size for o in range(out_size)
    )


def render(plan, config) -> tuple[str, list[str]]:
    kind, n = plan.attr("pool"), plan.attr("spatial")
    in_sp = as_3d(plan.in_shape[-n:], n, 1)
    out_sp = as_3d(plan.out_shape[-n:], n, 1)
    kernel = as_3d(plan.attr("kernel"), n, 1)
    stride = as_3d(plan.attr("stride"), n, 1)
    padding = as_3d(plan.attr("padding"), n, 0)
    dilation = as_3d(plan.attr("dilation"), n, 1)
    windows = tuple(_window(kind, i, o, k) for i, o, k in zip(in_sp, out_sp, kernel, strict=True))
    numel = math.prod(plan.out_shape)
    helpers = TANH_HELPER if uses_tanh(plan.prologue + plan.epilogue) else ""
    load = "\n".join(prologue_lines(plan, "                "))
    epilogue, value = epilogue_lines(plan, "    ", "result", "o", "out_mask")
    if kind == "max":
        init, update = (
            "acc = tl.zeros([BLOCK], dtype=tl.float32) - float('inf')",
            ("acc = tl.maximum(acc, tl.where(mask, x, -float('inf')))"),
        )
    else:
        init, update = "acc = tl.zeros([BLOCK], dtype=tl.float32)", "acc += tl.where(mask, x, 0.0)"
    tiled = "WINDOW" in config
    col = "[:, None]" if tiled else ""  # per-output values against a window tile
    starts, bounds, divisor = [], [], []
    for d in range(3):
        if kind == "adaptive_avg":
            starts.append(f"    s{d} = (o{d} * I{d}) // O{d}")
            starts.append(f"    e{d} = ((o{d} + 1) * I{d} + O{d} - 1) // O{d}")
            bounds.append(f"(i{d} < e{d}{col})")
            divisor.append(f"(e{d} - s{d})")
        else:
            starts.append(f"    s{d} = o{d} * {stride[d]} - {padding[d]}")
            bounds.append(f"(i{d} >= 0) & (i{d} < I{d})")
            if plan.attr("count_include_pad", True):
                divisor.append(f"(tl.minimum(s{d} + {kernel[d]}, I{d} + {padding[d]}) - s{d})")
            else:
                divisor.append(f"(tl.minimum(s{d} + {kernel[d]}, I{d}) - tl.maximum(s{d}, 0))")
    step = [1 if kind == "adaptive_avg" else dilation[d] for d in range(3)]
    finish = ""
    if kind != "max":
        override = plan.attr("divisor_override")
        count = repr(float(override)) if override else f"({' * '.join(divisor)}).to(tl.float32)"
        finish = f"    acc = acc / {count}\n"
    if tiled:
        # The whole input plane as the one window (global pooling): its positions
        # are adjacent addresses, so the tile reads base + j.
        whole_plane = all(o == 1 for o in out_sp) and all(
            w == i and p == 0 and d == 1
            for w, i, p, d in zip(windows, in_sp, padding, step, strict=True)
        )
        body = _window_tile_body(kind, step, bounds, load, whole_plane)
    else:
        body = f"""    {init}
    for k0 in range(0, W0):
        i0 = s0 + k0 * {step[0]}
        for k1 in range(0, W1):
            i1 = s1 + k1 * {step[1]}
            for k2 in range(0, W2):
                i2 = s2 + k2 * {step[2]}
                mask = out_mask & {" & ".join(bounds)}
                offs = base + (i0 * I1 + i1) * I2 + i2
{load}
                {update}
"""
    # Tiled: the window's sizes are constants, so j's divisions compile to multiplies.
    window_param = ", WINDOW: tl.constexpr" if tiled else ""
    sizes = "W0: tl.constexpr, W1: tl.constexpr, W2: tl.constexpr" if tiled else "W0, W1, W2"
    source = f'''
@triton.jit
def pool_kernel({kernel_operand_params(plan)}out_ptr, numel, I0, I1, I2, O0, O1, O2,
        {sizes}, BLOCK: tl.constexpr{window_param}):
    """{kind} pooling: out[nc, o0, o1, o2] over the window of x[nc, I0, I1, I2].

    Each program owns BLOCK flat outputs; a window is W0 x W1 x W2 positions.
    """
    pid = tl.program_id(0)
    o = pid.to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    out_mask = o < numel
    o2 = o % O2
    rest = o // O2
    o1 = rest % O1
    rest = rest // O1
    o0 = rest % O0
    base = (rest // O0) * I0 * I1 * I2
{chr(10).join(starts)}
{body}{finish}    result = acc
{chr(10).join(epilogue)}
    tl.store(out_ptr + o, {value}, mask=out_mask)
'''
    block = config["BLOCK"]
    window_arg = f", WINDOW={config['WINDOW']}" if tiled else ""
    forward = [
        empty_output(plan),
        f"pool_kernel[(triton.cdiv({numel}, {block}),)]({kernel_operand_args(plan)}out, {numel}, "
        f"{', '.join(map(str, in_sp))}, {', '.join(map(str, out_sp))}, "
        f"{', '.join(map(str, windows))}, BLOCK={block}{window_arg}, "
        f"num_warps={config['num_warps']})",
        "return out",
    ]
    return helpers + source, forward


def _window_tile_body(
    kind: str, step: list[int], bounds: list[str], load: str, whole_plane: bool
) -> str:
    """The [BLOCK, WINDOW] layout: window position j = (k0 * W1 + k1) * W2 + k2,
    WINDOW of them at a time; the tile is reduced along the window at the end."""
    if kind == "max":
        init = "tile = tl.zeros([BLOCK, WINDOW], dtype=tl.float32) - float('inf')"
        update = "tile = tl.maximum(tile, tl.where(mask, x, -float('inf')))"
        reduce = "acc = tl.max(tile, axis=1)"
    else:
        init = "tile = tl.zeros([BLOCK, WINDOW], dtype=tl.float32)"
        update = "tile += tl.where(mask, x, 0.0)"
        reduce = "acc = tl.sum(tile, axis=1)"
    lines = "\n".join("        " + line.strip() for line in load.splitlines())
    if whole_plane:
        gather = """        mask = out_mask[:, None] & (j < W0 * W1 * W2)[None, :]
        offs = base[:, None] + j[None, :]"""
    else:
        gather = f"""        k2 = j % W2
        k1 = (j // W2) % W1
        k0 = j // (W2 * W1)
        i0 = s0[:, None] + k0[None, :] * {step[0]}
        i1 = s1[:, None] + k1[None, :] * {step[1]}
        i2 = s2[:, None] + k2[None, :] * {step[2]}
        mask = out_mask[:, None] & (j < W0 * W1 * W2)[None, :] & {" & ".join(bounds)}
        offs = base[:, None] + (i0 * I1 + i1) * I2 + i2"""
    return f"""    {init}
    for j0 in range(0, W0 * W1 * W2, WINDOW):
        j = j0 + tl.arange(0, WINDOW)
{gather}
{lines}
        {update}
    {reduce}
"""


# --- matching -----------------------------------------------------------------

POOLS = {
    **{f"max_pool{n}d": ("max", n) for n in (1, 2, 3)},
    **{f"avg_pool{n}d": ("avg", n) for n in (1, 2, 3)},
    **{f"adaptive_avg_pool{n}d": ("adaptive_avg", n) for n in (1, 2, 3)},
}


def _per_dim(value, n: int, fallback) -> tuple:
    """A pooling argument as n ints: an int, a 1-list or an n-list (empty: `fallback`)."""
    if value is None or value == []:
        value = fallback
    if isinstance(value, (list, tuple)):
        value = list(value)
        return tuple(value * n if len(value) == 1 else value)
    return (value,) * n


def match(ctx, head):
    """aten.max_poolNd(x, kernel, stride, padding, dilation, ceil_mode),
    aten.avg_poolNd(x, kernel, stride, padding, ceil_mode, count_include_pad,
    divisor_override) and aten.adaptive_avg_poolNd(x, output_size)."""
    kind, n = POOLS[head.kind]
    x = head.args[0]
    shape = ctx.shape_of(x)
    if len(shape) < n + 1 or head.shape is None:
        raise Unsupported(f"`{head.kind}` of a {len(shape)}-d input")
    attrs = {
        "pool": kind,
        "spatial": n,
        "kernel": (1,) * n,
        "stride": (1,) * n,
        "padding": (0,) * n,
        "dilation": (1,) * n,
        "count_include_pad": True,
        "divisor_override": None,
        "op": head.kind,
    }
    if kind != "adaptive_avg":
        kernel = _per_dim(head.arg(1, "kernel_size"), n, None)
        attrs.update(
            kernel=kernel,
            stride=_per_dim(head.arg(2, "stride"), n, list(kernel)),
            padding=_per_dim(head.arg(3, "padding", 0), n, 0),
        )
        if kind == "max":
            attrs["dilation"] = _per_dim(head.arg(4, "dilation", 1), n, 1)
        else:
            attrs["count_include_pad"] = bool(head.arg(5, "count_include_pad", True))
            attrs["divisor_override"] = head.arg(6, "divisor_override", None)
    if head.dtype not in ("float32", "float16", "bfloat16"):
        raise Unsupported(f"`{head.kind}` of {head.dtype}")
    return "pool", attrs, copy_of(ctx, x.name, shape), shape, None


# --- config -------------------------------------------------------------------


LARGE_WINDOW = 64  # positions per window from which the window-tile layout is the default


def _window_size(plan) -> int:
    n = plan.attr("spatial")
    in_sp, out_sp = plan.in_shape[-n:], plan.out_shape[-n:]
    kernel = _per_dim(plan.attr("kernel"), n, 1)
    return math.prod(
        _window(plan.attr("pool"), i, o, k) for i, o, k in zip(in_sp, out_sp, kernel, strict=True)
    )


def space(plan, device=None) -> list[dict]:
    lanes = grid(BLOCK=[64, 128, 256, 512, 1024], num_warps=[2, 4, 8])
    tiles = [
        {"BLOCK": b, "WINDOW": w, "num_warps": nw}
        for b in (2, 4, 8, 16)
        for w in (64, 256, 1024)
        if b * w <= 4096
        for nw in (4, 8)
    ]
    return lanes + tiles


def default(plan, device=None) -> dict:
    window = _window_size(plan)
    if window >= LARGE_WINDOW:
        # A row-reduction tile: about 4096 elements, the window's width as far as 1024.
        width = min(1024, next_pow2(window))
        return {"BLOCK": max(2, 4096 // width // 4), "WINDOW": width, "num_warps": 4}
    # A window per lane: 256 outputs per program keep every SM busy.
    return {"BLOCK": min(256, pointwise_block(math.prod(plan.out_shape))), "num_warps": 4}


FAMILY = Family(
    name="pool", kinds=frozenset(POOLS), match=match, space=space, default=default, render=render
)
