"""Pointwise regions: the fusible part around every template's core op.

A region is a small DAG of elementwise steps evaluated at one flat element
index. Its leaves are the core op's result ("head"), tensors read by flat index
("operand", broadcast through an index rule) and constants. Every template
emits the same region code (templates/pointwise_code.py), so a fusion learned
for one family works for all of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .graph import Op, Ref

UNARY = {
    "relu",
    "sigmoid",
    "tanh",
    "exp",
    "log",
    "abs",
    "neg",
    "sqrt",
    "rsqrt",
    "silu",
    "square",
    "gelu",
    "leaky_relu",
    "elu",
    "hardswish",
    "hardsigmoid",
    "softplus",
    "mish",
    "clamp",
    "clamp_min",
    "clamp_max",
    "hardtanh",
    "relu6",
    "erf",
    "selu",
    "reciprocal",
    "log1p",
    "expm1",
    "sin",
    "cos",
    "softsign",
    "sign",
    "tril",
    "triu",
}
BINARY = {"add", "sub", "rsub", "mul", "div", "pow", "maximum", "minimum"}
# Comparisons yield bool, which a region holds as 1.0 / 0.0: what PyTorch's arithmetic
# on a bool tensor reads, and what `where` and `masked_fill` select by.
COMPARE = {"gt": ">", "lt": "<", "ge": ">=", "le": "<=", "eq": "==", "ne": "!="}
SELECT = {"where", "masked_fill"}
# Dtype casts (`.float()`, `.to(x.dtype)`, `.type_as(x)`): a region computes in float32,
# so a cast to a narrower float rounds there, where PyTorch rounds (LLaMA's softmax and
# RMSNorm in float32 between casts); a cast to bool is `!= 0`.
CASTS = {"to", "_to_copy", "type_as", "float", "half", "bfloat16", "bool"}
CAST_DTYPES = ("float32", "float16", "bfloat16", "bool")
# A `torch.cat` whose pieces a region computes at shifted places (concat.py decides).
CONCAT = "concat"
# `torch.stack(pieces, dim=-1).flatten(-2)` (GPT-J's rotate_every_two): element i * n + k
# along the dim is piece k's element i (concat.py).
INTERLEAVE = "interleave"
# `repeat_interleave(x, r, dim)` with an int r: element i along dim is x's element i // r.
STRETCH = "stretch"
POINTWISE = (
    UNARY | BINARY | set(COMPARE) | SELECT | CASTS | {"batch_norm", CONCAT, INTERLEAVE, STRETCH}
)
# Views that keep a contiguous tensor's element order: the flat index is unchanged.
RESHAPES = {"view", "reshape", "_unsafe_view", "flatten", "unsqueeze", "squeeze"}
# Views that repeat elements along size-1 dims: an index rule, never a copy.
BROADCASTS = {"expand", "expand_as", "broadcast_to"}
VIEWS = RESHAPES | BROADCASTS


@dataclass(frozen=True)
class ViewChain:
    """`source` read through views: as a tensor of `shape`, then broadcast (if
    `broadcast`) to the view's own shape. Reading it costs an index rule on
    `source`'s contiguous storage, where PyTorch's `.contiguous()` would copy."""

    source: str
    shape: tuple
    broadcast: bool


def view_chain(ops_by_name: dict[str, Op], name: str) -> ViewChain | None:
    """`name` as a chain of views over one tensor, or None when it is not one.

    Broadcasts may only come last (outermost): a reshape of an expanded tensor
    reorders repeated elements, which no single index rule over the source reads.
    """
    op = ops_by_name.get(name)
    if op is None or op.kind not in VIEWS:
        return None
    broadcast = False
    while op is not None and op.kind in BROADCASTS:
        broadcast = True
        if not op.args or not isinstance(op.args[0], Ref):
            return None
        inner = ops_by_name.get(op.args[0].name)
        if inner is None or inner.kind not in VIEWS:
            return ViewChain(op.args[0].name, _shape_or_none(inner), True)
        op = inner
    shape = tuple(op.shape) if op.shape is not None else None
    while op is not None and op.kind in RESHAPES:
        if not op.args or not isinstance(op.args[0], Ref):
            return None
        source = op.args[0].name
        op = ops_by_name.get(source)
        if op is not None and op.kind in BROADCASTS:
            return None
        if op is None or op.kind not in RESHAPES:
            return ViewChain(source, shape, broadcast) if shape is not None else None
    return None


def cat_dim(op: Op, rank: int) -> int | None:
    """aten.cat(tensors, dim=0)'s dim, counted from the front."""
    dim = op.arg(1, "dim", 0)
    if not isinstance(dim, int) or not -rank <= dim < rank:
        return None
    return dim + rank if dim < 0 else dim


def cat_pieces(op: Op) -> list[Ref] | None:
    pieces = op.args[0] if op.args else op.kwargs.get("tensors")
    if not isinstance(pieces, list) or not pieces or not all(isinstance(p, Ref) for p in pieces):
        return None
    return pieces


def slice_read(op: Op, source_shape) -> tuple[int, int, int] | None:
    """(dim, start, step) of `aten.slice(x, dim, start, end, step)` (or `narrow`), the
    element at place i along dim being x's element at start + i * step (GPT-J's
    `x[..., ::2]`); None for a shape that is not known."""
    if op.kind not in ("slice", "narrow") or not op.args or not isinstance(op.args[0], Ref):
        return None
    if source_shape is None or op.shape is None or len(op.shape) != len(source_shape):
        return None
    rank = len(source_shape)
    dim = op.arg(1, "dim", 0)
    start = op.arg(2, "start", 0)
    step = op.arg(4, "step", 1) if op.kind == "slice" else 1
    if not isinstance(dim, int) or not -rank <= dim < rank:
        return None
    if not isinstance(step, int) or step < 1:
        return None
    dim = dim + rank if dim < 0 else dim
    size = source_shape[dim]
    start = 0 if start is None else start
    if not isinstance(start, int):
        return None
    start = max(start + size, 0) if start < 0 else min(start, size)
    if op.shape[dim] and start + (op.shape[dim] - 1) * step >= size:
        return None
    return dim, start, step


def _shape_or_none(op: Op | None):
    return tuple(op.shape) if op is not None and op.shape is not None else None


@dataclass(frozen=True)
class Operand:
    """A tensor read at index `(flat // inner) % count` of the region's shape.

    mode "full": index = flat; "scalar": one element; "slice": the rule above;
    "strided": broadcast over a dim between kept ones, a sum of such rules (`groups`).

    `at` = (dim, delta, size): read at place p + delta along `dim`, where p is the
    element's place in the region (`size` along dim) and `region` has the tensor's own
    size there: a slice's source (delta: the slice's start), a cat's piece (minus the
    piece's start). Places outside the tensor are masked (templates/common.py).
    """

    name: str  # forward argument name or state_dict key
    is_param: bool
    shape: tuple
    mode: str
    count: int
    inner: int
    region: tuple  # shape of the region the operand is broadcast to
    at: tuple = ()
    groups: tuple = ()  # mode "strided": strided_groups(shape, region)


@dataclass(frozen=True)
class Step:
    op: str
    args: tuple  # ("v", k) | ("operand", i) | ("head",) | ("const", x)
    params: tuple = ()


class Unsupported(Exception):
    """The graph has a shape the planner has no template for (planner-internal)."""


def broadcast_rule(leaf_shape: tuple, region_shape: tuple) -> tuple[str, int, int]:
    """How a leaf broadcast to `region_shape` is indexed from a flat index."""
    numel = math.prod(region_shape)
    if math.prod(leaf_shape) == 1:
        return "scalar", 1, 1
    if len(leaf_shape) > len(region_shape):
        raise Unsupported(f"operand {leaf_shape} is larger than the result {region_shape}")
    aligned = (1,) * (len(region_shape) - len(leaf_shape)) + tuple(leaf_shape)
    kept = [d for d, size in enumerate(aligned) if size != 1]
    for d in kept:
        if aligned[d] != region_shape[d]:
            raise Unsupported(f"operand {leaf_shape} broadcasts the result {region_shape} up")
    first, last = kept[0], kept[-1]
    if any(aligned[d] == 1 and region_shape[d] != 1 for d in range(first, last + 1)):
        return "strided", numel, 1
    count = math.prod(region_shape[first : last + 1])
    inner = math.prod(region_shape[last + 1 :])
    if count == numel:
        return "full", numel, 1
    return "slice", count, inner


def strided_groups(leaf_shape: tuple, region_shape: tuple) -> tuple[tuple[int, int, int], ...]:
    """A leaf broadcast over a dim between two it keeps (`cos.unsqueeze(1)`, (B, 1, S, D)
    in (B, H, S, D); an attention mask (B, 1, 1, S)): for each run of kept dims, (the
    region's stride of its last dim, its element count, the leaf's stride of its last
    dim). The leaf's index is the sum over runs of ((flat // inner) % count) * stride:
    read in place, where a copy expanded to the region's shape cost a full-size write and
    read per call."""
    aligned = (1,) * (len(region_shape) - len(leaf_shape)) + tuple(leaf_shape)
    groups, d = [], len(aligned) - 1
    while d >= 0:
        if aligned[d] == 1 and region_shape[d] != 1:
            d -= 1
            continue
        last = d
        while d >= 0 and not (aligned[d] == 1 and region_shape[d] != 1):
            d -= 1
        groups.append(
            (
                math.prod(region_shape[last + 1 :]),
                math.prod(aligned[d + 1 : last + 1]),
                math.prod(aligned[last + 1 :]),
            )
        )
    return tuple(groups)


class RegionBuilder:
    """Turns the pointwise ops between `head` and `output` into Steps."""

    def __init__(
        self,
        ops_by_name: dict[str, Op],
        leaves: dict[str, dict],
        region_shape: tuple,
        head: str | None,
        operands: list[Operand],
    ):
        self.ops_by_name = ops_by_name
        self.leaves = leaves  # name -> {"shape", "dtype", "is_param"}
        self.region_shape = tuple(region_shape)
        self.head = head
        self.operands = operands  # shared across regions of one plan
        self.steps: list[Step] = []
        self.value_of: dict[tuple, tuple] = {}  # (op name, self.shift) -> its value
        # (dim, delta, step, div) while computing a cat's or an interleave's piece, or
        # reading a slice or a stretch: values are taken at place (p // div) * step + delta
        # along dim, p the element's place in the region (concat.py)
        self.shift: tuple[int, int, int, int] | None = None

    def operand(self, name: str, as_shape: tuple | None = None) -> tuple:
        leaf = self.leaves[name]
        shape = tuple(as_shape) if as_shape is not None else tuple(leaf["shape"])
        region: tuple = self.region_shape
        at: tuple = ()
        if self.shift is not None:
            dim, delta, step, div = self.shift
            if len(shape) > len(region):
                raise Unsupported(f"operand {shape} is larger than the result {region}")
            aligned = (1,) * (len(region) - len(shape)) + shape
            if aligned[dim] != 1:  # along a broadcast dim every place reads the same
                at = (dim, delta, region[dim]) + ((step, div) if (step, div) != (1, 1) else ())
                region = region[:dim] + (aligned[dim],) + region[dim + 1 :]
        mode, count, inner = broadcast_rule(shape, region)
        groups = strided_groups(shape, region) if mode == "strided" else ()
        entry = Operand(name, leaf["is_param"], shape, mode, count, inner, region, at, groups)
        if entry not in self.operands:
            self.operands.append(entry)
        return ("operand", self.operands.index(entry))

    def shifted(self, dim: int, delta: int, arg: Ref, step: int = 1, div: int = 1) -> tuple:
        """`arg`'s value at place (q // div) * step + delta along `dim`, q the place the
        value is computed at (the shift in force, composed)."""
        outer = self.shift
        if outer is None:
            self.shift = (dim, delta, step, div)
        elif outer[0] != dim:
            raise Unsupported("a slice or cat along one dim inside one along another")
        else:  # q = (p // d) * t + e
            _, e, t, d = outer
            if div > 1 and (t % div or e % div):
                raise Unsupported("a stretch or interleave inside a strided read")
            t, e = (t // div, e // div) if div > 1 else (t, e)
            self.shift = (dim, e * step + delta, t * step, d)
        try:
            return self.value(arg)
        finally:
            self.shift = outer

    def value(self, arg, selected: bool = False) -> tuple:
        """`selected`: a value `where` or `masked_fill` picks, which may be infinite (a
        mask's -inf); elsewhere an infinite constant is refused, as before."""
        if not isinstance(arg, Ref):
            if isinstance(arg, bool) or not isinstance(arg, (int, float)):
                raise Unsupported(f"constant {arg!r} in a pointwise op")
            if math.isnan(arg) or (not math.isfinite(arg) and not selected):
                raise Unsupported("non-finite constant")
            return ("const", float(arg))
        if arg.name == self.head:
            if self.shift is not None:
                raise Unsupported("the core op's result read at a shifted place")
            return ("head",)
        if (arg.name, self.shift) in self.value_of:
            return self.value_of[(arg.name, self.shift)]
        if arg.name in self.leaves:
            return self.operand(arg.name)
        chain = view_chain(self.ops_by_name, arg.name)
        if chain is not None and chain.source in self.leaves:
            shape = chain.shape or self.leaves[chain.source]["shape"]
            if self.shift is not None and (chain.broadcast or len(shape) != len(self.region_shape)):
                raise Unsupported("a view read at a shifted place")
            return self.operand(chain.source, shape)
        op = self.ops_by_name.get(arg.name)
        sliced = self._slice(op) if op is not None else None
        if sliced is not None:
            dim, start, step, source = sliced
            return self.shifted(dim, start, source, step)
        if op is not None and op.kind == STRETCH:
            source, dim, repeats = op.args
            rank = len(op.shape or self.region_shape)  # concat.py fuses only known shapes
            return self.shifted(dim + len(self.region_shape) - rank, 0, source, 1, repeats)
        if op is None or op.kind not in POINTWISE:
            raise Unsupported(f"{arg.name} ({op.kind if op else '?'}) feeds a pointwise region")
        return self.build(op)

    def _slice(self, op: Op) -> tuple[int, int, int, Ref] | None:
        """(dim, start, step, source) of a slice of a leaf or a value this region computes."""
        if op.kind not in ("slice", "narrow") or not isinstance(op.args[0], Ref):
            return None
        source = op.args[0].name
        shape = (
            self.leaves[source]["shape"]
            if source in self.leaves
            else _shape_or_none(self.ops_by_name.get(source))
        )
        found = slice_read(op, tuple(shape) if shape is not None else None)
        return (*found, op.args[0]) if found is not None else None

    def build(self, op: Op) -> tuple:
        if op.shape is not None and self.shift is not None:
            # a cat's piece: the region's shape but along the cat's dim
            dim = self.shift[0]
            shape, region = tuple(op.shape), self.region_shape
            if len(shape) != len(region) or shape[:dim] + shape[dim + 1 :] != (
                region[:dim] + region[dim + 1 :]
            ):
                raise Unsupported(f"{op.kind} of shape {shape} inside a cat's piece")
        elif op.shape is not None and tuple(op.shape) != self.region_shape:
            # Work on a smaller operand before it is broadcast (Gemma's `1.0 + weight`,
            # DiT's `1 + scale`) is the same work done at each element it broadcasts to:
            # its operands are read through their own broadcast rules. Not a mask's
            # place (tril/triu read the op's own last two dims).
            if op.kind in ("tril", "triu"):
                raise Unsupported(f"{op.kind} changes shape {op.shape} inside a fused chain")
            broadcast_rule(tuple(op.shape), self.region_shape)  # raises where it cannot
        yields_bool = op.kind in COMPARE or (op.kind in CASTS and op.dtype == "bool")
        if op.dtype not in (None, "float32", "float16", "bfloat16") and not (
            yields_bool and op.dtype == "bool"
        ):
            raise Unsupported(f"{op.kind} yields {op.dtype}")
        step = self._step(op)
        self.steps.append(step)
        if op.dtype in ("float16", "bfloat16") and step.op not in ("cast", *COMPARE):
            # PyTorch rounds each half-precision op's result: so does the region, or a
            # float32 output downstream would be compared at float32's tolerance with
            # digits PyTorch never had
            self.steps.append(Step("cast", (("v", len(self.steps) - 1),), (op.dtype,)))
        ref = ("v", len(self.steps) - 1)
        self.value_of[(op.name, self.shift)] = ref
        return ref

    def _step(self, op: Op) -> Step:
        kind = op.kind
        x = op.args[0] if op.args else op.kwargs.get("input")
        if kind == "batch_norm":
            return self._batch_norm(op)
        if kind == CONCAT:
            return self._concat(op)
        if kind == INTERLEAVE:
            return self._interleave(op)
        if kind in COMPARE:
            return Step(kind, (self.value(x), self.value(op.arg(1, "other"))))
        if kind == "where":  # where(condition, input, other)
            picked = [
                self.value(op.arg(i, key), selected=True) for i, key in ((1, "input"), (2, "other"))
            ]
            return Step("where", (self.value(x), *picked))
        if kind == "masked_fill":  # masked_fill(input, mask, value)
            mask, fill = op.arg(1, "mask"), op.arg(2, "value")
            return Step("where", (self.value(mask), self.value(fill, selected=True), self.value(x)))
        if kind in CASTS:
            if op.dtype not in CAST_DTYPES:
                raise Unsupported(f"a cast to {op.dtype}")
            return Step("cast", (self.value(x),), (op.dtype,))
        if kind in BINARY:
            other = op.arg(1, "other" if kind != "pow" else "exponent")
            if kind in ("add", "sub") and op.kwargs.get("alpha", 1) != 1:
                raise Unsupported("add/sub with alpha")
            if kind == "div" and op.kwargs.get("rounding_mode") is not None:
                raise Unsupported("div with rounding_mode")
            if kind == "pow" and isinstance(other, Ref):
                raise Unsupported("pow with a tensor exponent")
            if kind == "rsub":
                return Step("sub", (self.value(other), self.value(x)))
            return Step(kind, (self.value(x), self.value(other)))
        params: tuple = ()
        if kind in ("tril", "triu"):  # keeps or zeroes by (row, col) of the last two dims
            if len(self.region_shape) < 2:
                raise Unsupported(f"{kind} of a {len(self.region_shape)}-d tensor")
            diagonal = op.arg(1, "diagonal", 0)
            return Step(kind, (self.value(x),), (int(diagonal), *self.region_shape[-2:]))
        if kind == "gelu":
            kind = "gelu_tanh" if op.kwargs.get("approximate", "none") == "tanh" else "gelu_erf"
        elif kind == "leaky_relu":
            params = (float(op.arg(1, "negative_slope", 0.01)),)
        elif kind == "elu":
            params = (float(op.arg(1, "alpha", 1.0)),)
        elif kind == "softplus":
            params = (float(op.arg(1, "beta", 1.0)), float(op.arg(2, "threshold", 20.0)))
        elif kind in ("clamp", "hardtanh", "relu6", "clamp_min", "clamp_max"):
            lo, hi = {
                "clamp": (op.arg(1, "min"), op.arg(2, "max")),
                "hardtanh": (op.arg(1, "min_val", -1.0), op.arg(2, "max_val", 1.0)),
                "relu6": (0.0, 6.0),
                "clamp_min": (op.arg(1, "min"), None),
                "clamp_max": (None, op.arg(1, "max")),
            }[kind]
            if isinstance(lo, Ref) or isinstance(hi, Ref):
                raise Unsupported("clamp with tensor bounds")
            kind, params = (
                "clamp",
                (lo if lo is None else float(lo), hi if hi is None else float(hi)),
            )
        return Step(kind, (self.value(x),), params)

    def _concat(self, op: Op) -> Step:
        """Every piece at the element's place less the piece's start; the place picks
        one. Params: (inner, size, delta, starts of pieces 1..): the place along the cat's
        dim is (flat // inner) % size + delta (delta: a shift in force around the cat)."""
        region = self.region_shape
        dim, pieces = cat_dim(op, len(region)), cat_pieces(op)
        if dim is None or pieces is None or (self.shift and self.shift[0] != dim):
            raise Unsupported("a cat the region cannot index")
        if self.shift and self.shift[2:] != (1, 1):
            raise Unsupported("a cat read through a strided slice or an interleave")
        if self.shift is None and tuple(op.shape or ()) != region:
            raise Unsupported(f"a cat of shape {op.shape} broadcast to {region}")
        starts, values = [0], []
        for piece in pieces:
            shape = self.ops_by_name[piece.name].shape if piece.name in self.ops_by_name else None
            if piece.name in self.leaves:
                shape = self.leaves[piece.name]["shape"]
            if shape is None or len(shape) != len(region):
                raise Unsupported("a cat's piece of unknown or other rank")
            values.append(self.shifted(dim, -starts[-1], piece))
            starts.append(starts[-1] + shape[dim])
        inner = math.prod(region[dim + 1 :])
        delta = self.shift[1] if self.shift else 0
        return Step(CONCAT, tuple(values), (inner, region[dim], delta, *starts[1:-1]))

    def _interleave(self, op: Op) -> Step:
        """Piece k at the element's place // n, where place % n == k (concat.py sets the
        op's args to (pieces, dim, n)). Params: (inner, size, n)."""
        pieces, dim, n = op.args
        region = self.region_shape
        if self.shift is not None or tuple(op.shape or ()) != region:
            raise Unsupported("an interleave read at a shifted place or broadcast")
        values = tuple(self.shifted(dim, 0, piece, 1, n) for piece in pieces)
        return Step(INTERLEAVE, values, (math.prod(region[dim + 1 :]), region[dim], n))

    def _batch_norm(self, op: Op) -> Step:
        # aten.batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)
        x, weight, bias, mean, var = (op.arg(i) for i in range(5))
        if op.arg(5, "training", False) or not isinstance(mean, Ref) or not isinstance(var, Ref):
            raise Unsupported("batch norm in training mode (batch statistics)")
        channels = self.region_shape[1]
        as_shape = (channels,) + (1,) * (len(self.region_shape) - 2)
        args = [self.value(x), self.operand(mean.name, as_shape), self.operand(var.name, as_shape)]
        args.append(
            self.operand(weight.name, as_shape) if isinstance(weight, Ref) else ("const", 1.0)
        )
        args.append(self.operand(bias.name, as_shape) if isinstance(bias, Ref) else ("const", 0.0))
        return Step("batch_norm", tuple(args), (float(op.arg(7, "eps", 1e-5)),))


def build_region(ops_by_name, leaves, region_shape, head, output, operands) -> tuple[Step, ...]:
    """Steps computing `output` from `head`; empty when output is the head itself."""
    builder = RegionBuilder(ops_by_name, leaves, region_shape, head, operands)
    if output == head:
        return ()
    result = builder.value(Ref(output))
    if result[0] != "v":  # output is a bare leaf read
        builder.steps.append(Step("copy", (result,)))
    return tuple(builder.steps)
