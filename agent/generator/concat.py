"""`torch.cat` of pointwise work on slices, fused into a pointwise region.

LLaMA's and GPT-NeoX's `rotate_half` is `torch.cat((-x[..., d // 2 :], x[..., : d // 2]),
dim=-1)`: as PyTorch's ops it is two slices copied, a negation, a cat and then the
rotary's multiply-add, five kernels over q and five over k (benchmarks/corpus/221). Read
by index instead, the whole rotary is one pointwise kernel: each element of the cat is
the piece it falls in, evaluated at its place shifted by the piece's start, and a slice
of a tensor is that tensor read at a shifted place (expr.RegionBuilder, templates/common.py
`operand_index`). Like Inductor's lowering of `cat`, every piece is computed and the
element's place picks one.

A cat is fused ("concat", a pointwise kind) only where every piece is pointwise work,
slices along the cat's own dim and nested fused cats along it, down to values the region
reads whole (leaves, stages' results, core ops): each such value is read at the shifted
place through its broadcast rule. Anything else (a slice along another dim, a view inside
a piece, integer pieces) stays PyTorch's `cat`.
"""

from __future__ import annotations

from .expr import CONCAT, POINTWISE, VIEWS, cat_dim, cat_pieces, slice_read
from .graph import Op, Ref

_FLOATS = ("float32", "float16", "bfloat16")


def _leaf_shapes(graph: dict) -> dict[str, tuple | None]:
    """Each input's and parameter's shape, by name."""
    return {
        entry["name"]: tuple(entry["shape"]) if entry.get("shape") is not None else None
        for entry in graph.get("inputs", []) + graph.get("params", [])
    }


# A capture dict's key (partition.py): cats a region failed to compute, left PyTorch's.
UNFUSED = "unfused_cats"


def fuse_concats(ops: list[Op], graph: dict) -> None:
    """Give each cat that a region can compute the kind CONCAT (in graph order, so a
    nested cat is decided before the cat that reads it), but those `graph` lists
    under UNFUSED."""
    by_name = {op.name: op for op in ops}
    shapes = _leaf_shapes(graph)
    shapes.update((op.name, op.shape) for op in ops)
    unfused = set(graph.get(UNFUSED, ()))
    for op in ops:
        if op.kind == "cat" and op.name not in unfused and _fusible(op, by_name, shapes):
            op.kind = CONCAT


def _fusible(op: Op, by_name: dict[str, Op], shapes: dict) -> bool:
    pieces = cat_pieces(op)
    if op.shape is None or op.dtype not in _FLOATS or pieces is None or len(pieces) < 2:
        return False
    rank = len(op.shape)
    dim = cat_dim(op, rank)
    if dim is None:
        return False
    stack, seen = [p.name for p in pieces], set()
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        inner = by_name.get(name)
        if inner is None:  # a leaf, read at the shifted place
            continue
        if inner.shape is None or len(inner.shape) != rank or inner.dtype not in _FLOATS:
            return False
        if inner.kind in ("slice", "narrow"):
            if not inner.args or not isinstance(inner.args[0], Ref):
                return False
            source = inner.args[0].name
            found = slice_read(inner, shapes.get(source))
            if found is None or found[0] != dim:
                return False
            stack.append(source)
        elif inner.kind == CONCAT:
            if cat_dim(inner, rank) != dim:
                return False
            stack.extend(r.name for r in inner.tensor_args())
        elif inner.kind in VIEWS:  # read through an index rule of its own: not shifted
            return False
        elif inner.kind in POINTWISE:
            stack.extend(r.name for r in inner.tensor_args())
        # any other op is a value the region reads: a stage's result, cut by partition.py
    return True
