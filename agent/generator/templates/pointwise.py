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
    leaf_expr,
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


def launch_lines(
    plan, steps, name: str, head: str | None, out: str, config: dict, operands: str | None = None
) -> list[str]:
    """The launch over `out`'s elements; `operands` (the launch's tensor arguments)
    defaults to each operand made contiguous."""
    if operands is None:
        operands = operand_launch_args(plan, region_operands(steps))
    return [
        f"numel = {out}.numel()",
        f"grid = (triton.cdiv(numel, {config['BLOCK']}),)",
        (
            f"{name}[grid]({head + ', ' if head else ''}{operands}"
            f"{out}, numel, BLOCK={config['BLOCK']}, num_warps={config['num_warps']})"
        ),
    ]


# Elementwise work does not care in which order it visits elements: where every
# operand is laid out alike (a transposed view, channels-last), the kernel runs over
# memory in storage order and the output is laid out the same, as eager's is, instead
# of copying each operand contiguous first (benchmarks/corpus/166: GELU after
# `conv1d(x.transpose(1, 2)).transpose(1, 2)`).
SAME_LAYOUT_HELPER = """
def _same_dense_layout(*tensors):
    first = tensors[0]
    if first.is_contiguous() or any(
        t.shape != first.shape or t.stride() != first.stride() or t.dtype != first.dtype
        for t in tensors
    ):
        return False
    expected = 1  # dense: the strides, sorted, are a contiguous tensor's
    for stride, size in sorted((s, n) for s, n in zip(first.stride(), first.shape) if n != 1):
        if stride != expected:
            return False
        expected *= size
    return True
"""


def render(plan, config) -> tuple[str, list[str]]:
    kernels = (TANH_HELPER if uses_tanh(plan.epilogue) else "") + kernel_source(
        plan, plan.epilogue, "fused_pointwise_kernel", with_head=False
    )
    device = _first_input(plan)
    forward: list[str] = []
    indices = region_operands(plan.epilogue)
    if indices and all(_whole_at_output_shape(plan, plan.operands[i]) for i in indices):
        kernels = SAME_LAYOUT_HELPER + kernels
        names = [leaf_expr(plan, plan.operands[i].name) for i in indices]
        as_laid_out = "".join(n + ", " for n in names)  # no copies: storage order
        launch = launch_lines(
            plan, plan.epilogue, "fused_pointwise_kernel", None, "out", config, as_laid_out
        )
        forward += [
            f"if _same_dense_layout({', '.join(names)}):",
            f"    out = torch.empty_like({names[0]}, dtype={_dtype(plan.out_dtype)})",
            *("    " + line for line in launch),
            "    return out",
        ]
    forward.append(
        f"out = torch.empty({tuple(plan.out_shape)!r}, device={device}.device, "
        f"dtype={_dtype(plan.out_dtype)})"
    )
    forward += launch_lines(plan, plan.epilogue, "fused_pointwise_kernel", None, "out", config)
    forward.append("return out")
    return kernels, forward


def _whole_at_output_shape(plan, operand) -> bool:
    """The operand is a tensor of the output's own shape, read whole. One read through a
    reshape (a permuted view flattened into fewer dims, benchmarks/corpus/182) has
    another shape, and an output laid out like it would have that shape too."""
    tensors = {name: shape for name, shape, _ in plan.inputs}
    tensors.update((entry[0], entry[1]) for entry in plan.params)
    shape = tensors.get(operand.name)
    return (
        operand.mode == "full"
        and not operand.at
        and shape is not None
        and tuple(shape) == tuple(operand.region)
    )


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
