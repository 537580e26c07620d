"""Fused elementwise chains, and the epilogue kernel after a torch matmul/convolution.

One program handles BLOCK contiguous elements of the flat output; operands
that broadcast are read through (i // inner) % count (expr.broadcast_rule), so
a bias or per-channel scale is never materialised at full size.
"""

from __future__ import annotations

import math

from ..family import Family
from ..heuristics import grid, pointwise_block
from .common import (
    TANH_HELPER,
    emit_region,
    operand_launch_args,
    operand_params,
    region_operands,
    uses_tanh,
)


def kernel_source(plan, steps, name: str, with_head: bool) -> str:
    indices = region_operands(steps)
    lines, result = emit_region(steps, plan.operands, "offs", "mask", "head" if with_head else None)
    if result is None:
        raise ValueError("a pointwise kernel needs at least one step")
    numel = math.prod(plan.out_shape)
    reads = len(indices) + (1 if with_head else 0)
    body = "\n".join("    " + line for line in lines)
    head_load = (
        "    head = tl.load(head_ptr + offs, mask=mask, other=0.0).to(tl.float32)\n"
        if with_head
        else ""
    )
    return f'''
@triton.jit
def {name}({"head_ptr, " if with_head else ""}{operand_params(indices)}out_ptr, numel,
        BLOCK: tl.constexpr):
    """out[i] = chain(...) for i < numel (= {numel} here), all tensors contiguous.

    Reads {reads} tensor(s) (broadcast ones through an index rule), writes one:
    about {reads + 1} x numel x element size bytes; one program per BLOCK elements.
    """
    pid = tl.program_id(0)
    offs = pid.to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < numel
{head_load}{body}
    tl.store(out_ptr + offs, {result}, mask=mask)
'''


def launch_lines(plan, steps, name: str, head: str | None, out: str, config: dict) -> list[str]:
    indices = region_operands(steps)
    return [
        f"numel = {out}.numel()",
        f"grid = (triton.cdiv(numel, {config['BLOCK']}),)",
        (
            f"{name}[grid]({head + ', ' if head else ''}{operand_launch_args(plan, indices)}"
            f"{out}, numel, BLOCK={config['BLOCK']}, num_warps={config['num_warps']})"
        ),
    ]


def render(plan, config) -> tuple[str, list[str]]:
    kernels = (TANH_HELPER if uses_tanh(plan.epilogue) else "") + kernel_source(
        plan, plan.epilogue, "fused_pointwise_kernel", with_head=False
    )
    device = _first_input(plan)
    forward = [
        (
            f"out = torch.empty({tuple(plan.out_shape)!r}, device={device}.device, "
            f"dtype={_dtype(plan.out_dtype)})"
        )
    ]
    forward += launch_lines(plan, plan.epilogue, "fused_pointwise_kernel", None, "out", config)
    forward.append("return out")
    return kernels, forward


def _first_input(plan) -> str:
    return plan.inputs[0][0]


def _dtype(name: str) -> str:
    return f"torch.{name}"


# --- config -------------------------------------------------------------------


def pass_space() -> list[dict]:
    """(BLOCK, num_warps) of one elementwise pass: a whole pointwise graph, or the
    epilogue pass after cuDNN's convolution."""
    return grid(BLOCK=[128, 256, 512, 1024, 2048, 4096], num_warps=[2, 4, 8])


def space(plan, device=None) -> list[dict]:
    return pass_space()


def default(plan, device=None) -> dict:
    return {"BLOCK": pointwise_block(math.prod(plan.out_shape)), "num_warps": 4}


# No core op to match: plan.py plans a graph of pointwise ops alone as this family.
FAMILY = Family(
    name="pointwise", kinds=frozenset(), match=None, space=space, default=default, render=render
)
