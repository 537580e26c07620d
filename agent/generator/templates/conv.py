"""Convolution left to cuDNN (torch), everything after it fused into one Triton pass.

A direct Triton convolution rarely beats cuDNN; the win is the chain that
follows it (bias, activation, batch norm, scaling), which eager PyTorch runs as
one kernel per op. The conv is called without its bias so the bias joins the
fused pass: one read and one write of the conv output instead of one per op.
"""

from __future__ import annotations

from . import pointwise
from .common import TANH_HELPER, leaf_expr, uses_tanh


def _conv_call(plan) -> str:
    op = plan.op
    x, weight = leaf_expr(plan, plan.attr("x")), leaf_expr(plan, plan.attr("weight"))
    stride, padding, groups = plan.attr("stride"), plan.attr("padding"), plan.attr("groups")
    dilation = plan.attr("dilation")
    if op.startswith("conv_transpose"):
        return (f"torch.nn.functional.{op}({x}, {weight}, None, {stride!r}, {padding!r}, "
                f"{plan.attr('output_padding')!r}, {groups!r}, {dilation!r})")
    return f"torch.nn.functional.{op}({x}, {weight}, None, {stride!r}, {padding!r}, {dilation!r}, {groups!r})"


def render(plan, config) -> tuple[str, list[str]]:
    helpers = TANH_HELPER if uses_tanh(plan.epilogue) else ""
    kernels = helpers + pointwise.kernel_source(plan, plan.epilogue, "conv_epilogue_kernel", True)
    forward = [
        f"head = {_conv_call(plan)}.contiguous()",
        f"out = torch.empty({tuple(plan.out_shape)!r}, device=head.device, dtype=torch.{plan.out_dtype})",
    ]
    forward += pointwise.launch_lines(plan, plan.epilogue, "conv_epilogue_kernel", "head", "out", config)
    return kernels, forward + ["return out"]
