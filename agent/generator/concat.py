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

GPT-J's interleaved rotary is the same idea along one dim at a finer grain:
`torch.stack((-x[..., 1::2], x[..., ::2]), dim=-1).flatten(-2)` is an interleave (element
i * n + k is piece k's element i, each piece read at place // n, a strided slice read at
start + place * step), and `repeat_interleave(sin, 2, -1)` a stretch (element i is sin's
element i // 2). As PyTorch's ops that rotary is seven ops that each write a tensor
(benchmarks/corpus/240).
"""

from __future__ import annotations

from .expr import CONCAT, INTERLEAVE, POINTWISE, STRETCH, VIEWS, cat_dim, cat_pieces, slice_read
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
        if op.name in unfused or op.shape is None or op.dtype not in _FLOATS:
            continue
        if op.kind == "cat" and _fusible(op, by_name, shapes):
            op.kind = CONCAT
        elif op.kind == "repeat_interleave":
            _stretch(op)
        elif op.kind in VIEWS:
            _interleave(op, by_name, shapes)


def _stretch(op: Op) -> None:
    """`repeat_interleave(x, r, dim)` with an int r (not a tensor of counts): a STRETCH
    with args (x, dim from the front, r); the original kind and args kept in `unfused`."""
    source, repeats = op.arg(0, "input"), op.arg(1, "repeats")
    dim, rank = op.arg(2, "dim"), len(op.shape or ())
    if not isinstance(source, Ref) or isinstance(repeats, bool) or not isinstance(repeats, int):
        return
    if not isinstance(dim, int) or not -rank <= dim < rank or repeats < 1:
        return
    if op.arg(3, "output_size") is not None:
        return
    op.unfused = (op.kind, op.args)
    op.kind, op.args = STRETCH, [source, dim % rank, repeats]


def _interleave(op: Op, by_name: dict[str, Op], shapes: dict) -> None:
    """A view merging a stack's new dim into the dim before it (`stack(ps, -1).flatten(-2)`,
    or a `view`/`reshape` to that shape) with pieces a region computes: an INTERLEAVE with
    args (pieces, dim, n)."""
    source = op.args[0] if op.args else None
    stacked = by_name.get(source.name) if isinstance(source, Ref) else None
    if stacked is None or stacked.kind != "stack" or stacked.shape is None:
        return
    pieces = stacked.args[0] if stacked.args else None
    if (
        not isinstance(pieces, list)
        or len(pieces) < 2
        or not all(isinstance(p, Ref) for p in pieces)
    ):
        return
    rank = len(stacked.shape) - 1  # the pieces' rank
    new = stacked.arg(1, "dim", 0)
    if not isinstance(new, int) or not -rank - 1 <= new <= rank:
        return
    new %= rank + 1
    if new == 0:
        return  # stacked in front: nothing to merge it with
    dim, n = new - 1, len(pieces)
    merged = stacked.shape[:dim] + (stacked.shape[dim] * n,) + stacked.shape[new + 1 :]
    if op.shape != merged or not _pieces_fusible(pieces, dim, rank, by_name, shapes):
        return
    op.unfused = (op.kind, op.args)
    op.kind, op.args = INTERLEAVE, [list(pieces), dim, n]


def _fusible(op: Op, by_name: dict[str, Op], shapes: dict) -> bool:
    pieces = cat_pieces(op)
    if pieces is None or len(pieces) < 2:
        return False
    rank = len(op.shape or ())
    dim = cat_dim(op, rank)
    return dim is not None and _pieces_fusible(pieces, dim, rank, by_name, shapes)


def _pieces_fusible(
    pieces: list[Ref], dim: int, rank: int, by_name: dict[str, Op], shapes: dict
) -> bool:
    """Every piece is pointwise work, slices along `dim` and fused cats along it, down to
    values a region reads whole."""
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
        elif inner.kind in (INTERLEAVE, STRETCH):  # read at place // n: not inside a piece
            return False
        elif inner.kind in VIEWS:  # read through an index rule of its own: not shifted
            return False
        elif inner.kind in POINTWISE:
            stack.extend(r.name for r in inner.tensor_args())
        # any other op is a value the region reads: a stage's result, cut by partition.py
    return True
