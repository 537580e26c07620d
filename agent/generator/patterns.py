"""Readers several families' matchers share: a core op's input region, its dims, its operands.

Each family's own matcher (`match`, and `spellings` for written-out forms)
lives in templates/<family>.py; what they take from a captured op's arguments
in common is here. `ctx` is the planner's context (plan.py `_Context`).
"""

from __future__ import annotations

from .expr import RegionBuilder, Step, Unsupported
from .graph import Ref, describe


def prologue_of(ctx, arg) -> tuple[tuple[Step, ...], tuple]:
    """The pointwise region feeding a row-wise op's main input, and its shape."""
    shape = ctx.shape_of(arg)
    return ctx.region(shape, None, arg.name), shape


def dims_of(dim, rank: int) -> tuple[int, ...]:
    """A `dim` argument (an int, a list, or none for all dims) as sorted non-negative dims."""
    if dim is None or dim == []:
        return tuple(range(rank))
    dims = dim if isinstance(dim, (list, tuple)) else [dim]
    return tuple(sorted(d % rank if rank else 0 for d in dims))


def copy_of(ctx, name: str, shape) -> tuple[Step, ...]:
    """A region reading `name`: the pointwise work computing it, or a copy of the leaf."""
    return (
        ctx.region(shape, None, name)
        if name not in ctx.leaves
        else (Step("copy", (_operand(ctx, name, shape),)),)
    )


def _operand(ctx, name, shape):
    return RegionBuilder(ctx.by_name, ctx.leaves, tuple(shape), None, ctx.operands).operand(name)


def optional_leaf(ctx, arg) -> str | None:
    return ctx.leaf(arg) if isinstance(arg, Ref) else None


# --- matmul operands (matmuls and attention written as matmuls) ------------------


def matmul_operand(ctx, arg) -> tuple[str, bool]:
    """(leaf, transposed): transposes of the last two dims are read through strides."""
    if isinstance(arg, Ref) and arg.name in ctx.leaves:
        return arg.name, False
    op = ctx.by_name.get(arg.name) if isinstance(arg, Ref) else None
    if op is not None and isinstance(op.args[0], Ref) and op.args[0].name in ctx.leaves:
        rank = len(ctx.leaves[op.args[0].name]["shape"])
        if op.kind == "t" or (
            op.kind == "transpose"
            and rank >= 2
            and sorted(d % rank for d in op.args[1:3]) == [rank - 2, rank - 1]
        ):
            return op.args[0].name, True
        if op.kind == "permute":
            perm = [d % rank for d in op.arg(1, "dims")]
            if perm == list(range(rank - 2)) + [rank - 1, rank - 2]:
                return op.args[0].name, True
    raise Unsupported(
        f"the matmul operand {describe(arg)} is computed inside forward, "
        "not a model input or parameter"
    )


def logical_shape(ctx, name, transposed) -> tuple:
    shape = tuple(ctx.leaves[name]["shape"])
    return shape[:-2] + (shape[-1], shape[-2]) if transposed else shape
