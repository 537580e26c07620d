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


# --- layouts: transposes and permutes read or written through strides ------------

# Views that only reorder dims: the same storage under another order of strides.
LAYOUT_VIEWS = frozenset({"transpose", "permute", "t", "movedim"})


def layout_view(ctx, arg) -> tuple[str, tuple[int, ...]] | None:
    """`arg` as `source.permute(perm)` through a chain of transposes and permutes
    (composed), or None when it is no such view. `source` may be any graph value."""
    if not isinstance(arg, Ref):
        return None
    name, perm = arg.name, None
    while (op := ctx.by_name.get(name)) is not None and op.kind in LAYOUT_VIEWS:
        if not op.args or not isinstance(op.args[0], Ref) or op.shape is None:
            return None
        own = _permutation(op, len(op.shape))
        if own is None:
            return None
        # view[i] = inner[own[i]] and inner[j] = source[...]: compose toward the source
        perm = own if perm is None else tuple(own[i] for i in perm)
        name = op.args[0].name
    return (name, perm) if perm is not None else None


def strided_leaf(ctx, arg) -> tuple[str, tuple[int, ...] | None]:
    """(leaf, perm): a model input or parameter, read as it is (perm None) or through
    transposes and permutes of it, which a kernel reads through its strides."""
    view = layout_view(ctx, arg)
    if view is not None and view[0] in ctx.leaves:
        return view[0], None if view[1] == tuple(range(len(view[1]))) else view[1]
    return ctx.leaf(arg), None


def permuted(shape: tuple, perm: tuple[int, ...]) -> tuple:
    """`shape` of a tensor after `.permute(perm)`."""
    return tuple(shape[p] for p in perm)


def unpermuted(shape: tuple, perm: tuple[int, ...]) -> tuple:
    """The shape `.permute(perm)` was taken of, given the permuted one."""
    out: list = [None] * len(perm)
    for i, p in enumerate(perm):
        out[p] = shape[i]
    return tuple(out)


def _permutation(op, rank: int) -> tuple[int, ...] | None:
    """The dims of op's input that op's dims 0..rank-1 are (view[i] = input[perm[i]])."""
    perm = list(range(rank))
    if op.kind == "t":
        if rank == 2:
            perm = [1, 0]
    elif op.kind == "transpose":
        d0, d1 = op.arg(1, "dim0"), op.arg(2, "dim1")
        if not isinstance(d0, int) or not isinstance(d1, int) or not rank:
            return None
        d0, d1 = d0 % rank, d1 % rank
        perm[d0], perm[d1] = perm[d1], perm[d0]
    elif op.kind == "permute":
        dims = op.arg(1, "dims")
        if not isinstance(dims, (list, tuple)) or len(dims) != rank:
            return None
        perm = [d % rank for d in dims]
    else:  # movedim(source, destination): the moved dims land there, the rest keep order
        source, destination = op.arg(1, "source"), op.arg(2, "destination")
        source = [source] if isinstance(source, int) else source
        destination = [destination] if isinstance(destination, int) else destination
        if not isinstance(source, list) or not isinstance(destination, list) or not rank:
            return None
        source, destination = [d % rank for d in source], [d % rank for d in destination]
        perm = [-1] * rank
        for s, d in zip(source, destination):
            perm[d] = s
        rest = iter(d for d in range(rank) if d not in source)
        perm = [p if p >= 0 else next(rest) for p in perm]
    return tuple(perm) if sorted(perm) == list(range(rank)) else None


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
