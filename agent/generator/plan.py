"""Match a captured graph to one template family: `plan(graph) -> Plan | None`.

Every family is "core op + fused pointwise epilogue" (plus, for row-wise ops,
a pointwise prologue on the input): the planner finds the one non-pointwise
op the output depends on, reads its parameters with the `match` of the family
registered for its kind (families.py), and turns the ops around it into
regions (expr.py). Pure Python over the capture dict; nothing is run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from . import families
from .concat import fuse_concats
from .expr import (
    POINTWISE,
    Operand,
    RegionBuilder,
    Step,
    Unsupported,
    build_region,
    slice_read,
    view_chain,
)
from .graph import Op, Ref, canonical_ops, describe
from .patterns import LAYOUT_VIEWS, layout_view, permuted
from .rewrites import expanded

FAMILIES = tuple(families.BY_NAME)
FLOAT_DTYPES = ("float32", "float16", "bfloat16")


@dataclass(frozen=True)
class Plan:
    family: str
    op: str  # the core op, e.g. "sum", "softmax", "layer_norm", "linear", "conv2d"
    dtype: str
    out_shape: tuple
    in_shape: tuple  # shape of the core op's main input (the prologue's region)
    attrs: tuple  # sorted (key, value) pairs: dims, eps, names of weight tensors, ...
    prologue: tuple[Step, ...]
    epilogue: tuple[Step, ...]
    operands: tuple[Operand, ...]
    inputs: tuple  # (name, shape, dtype) of each forward argument
    params: tuple  # (state_dict key, shape, dtype, "parameter"|"buffer")
    init_params: tuple | None  # constructor parameters as captured, None = unknown
    out_dtype: str = "float32"

    def attr(self, key: str, default: Any = None) -> Any:
        return dict(self.attrs).get(key, default)


def plan(graph: dict) -> Plan | None:
    """The template plan for this graph, or None when no family matches."""
    return plan_or_reason(graph)[0]


def plan_or_reason(graph: dict) -> tuple[Plan | None, str]:
    try:
        return _plan(expanded(graph)), ""
    except Unsupported as reason:
        return None, str(reason)
    except (KeyError, IndexError, TypeError, ValueError) as error:  # malformed capture
        return None, f"graph not understood ({type(error).__name__}: {error})"


class _Context:
    def __init__(self, graph: dict):
        if graph.get("unsupported"):
            raise Unsupported(f"capture incomplete: {graph['unsupported']}")
        if not graph.get("nodes"):
            raise Unsupported("empty graph")
        self.graph = graph
        self.ops, alias = canonical_ops(graph)
        fuse_concats(self.ops, graph)
        self.by_name = {op.name: op for op in self.ops}
        outputs = graph.get("outputs", [])
        if len(outputs) != 1 or not isinstance(outputs[0], str):
            raise Unsupported(f"{len(outputs)} outputs; templates return one tensor")
        self.output = alias.get(outputs[0], outputs[0])
        self.leaves: dict[str, dict] = {}
        for entry in graph.get("inputs", []):
            self.leaves[entry["name"]] = {**entry, "is_param": False}
        for entry in graph.get("params", []):
            self.leaves[entry["name"]] = {**entry, "is_param": True}
        if self.output in self.leaves:
            raise Unsupported("the model returns an input unchanged")
        out = self.by_name[self.output]
        if out.shape is None:
            raise Unsupported("output shape unknown")
        self.out_shape = tuple(out.shape)
        self.out_dtype = out.dtype
        self.operands: list[Operand] = []

    def leaf(self, arg) -> str:
        if not isinstance(arg, Ref) or arg.name not in self.leaves:
            raise Unsupported(
                f"{describe(arg)} is computed inside forward where this template "
                "reads a model input or parameter"
            )
        return arg.name

    def shape_of(self, arg) -> tuple:
        if isinstance(arg, Ref) and arg.name in self.leaves:
            return tuple(self.leaves[arg.name]["shape"])
        shape = self.by_name[arg.name].shape
        if shape is None:  # left unknown by the capture: plan_or_reason reports a TypeError
            raise TypeError(f"the shape of {arg.name} is unknown")
        return tuple(shape)

    def region(self, shape, head: str | None, output: str) -> tuple[Step, ...]:
        return build_region(self.by_name, self.leaves, tuple(shape), head, output, self.operands)

    def reads_through(self, name: str) -> bool:
        """Whether `name` is views of a leaf, or a slice of one, which a region reads by
        an index rule."""
        chain = view_chain(self.by_name, name)
        if chain is not None:
            return chain.source in self.leaves
        op = self.by_name[name]
        source = op.args[0] if op.args else None
        if not isinstance(source, Ref):
            return False
        if source.name in self.leaves:
            shape = self.leaves[source.name]["shape"]
        elif source.name in self.by_name and self.reads_through(source.name):
            shape = self.by_name[source.name].shape
        else:
            return False
        return slice_read(op, tuple(shape) if shape is not None else None) is not None

    def find_head(self) -> Op | None:
        """The single non-pointwise op the output's pointwise region starts from."""
        heads, seen, stack = set(), set(), [self.output]
        while stack:
            name = stack.pop()
            if name in seen or name in self.leaves:
                continue
            seen.add(name)
            op = self.by_name[name]
            if op.kind in POINTWISE:
                stack.extend(a.name for a in op.tensor_args())
            elif not self.reads_through(name):
                heads.add(name)
        if len(heads) > 1:
            raise Unsupported(f"several core ops ({', '.join(sorted(heads))}) feed the output")
        return self.by_name[heads.pop()] if heads else None


def spelled_plan(graph: dict) -> Plan | None:
    """The plan of a written-out form (a family's `spellings`: an RMS norm as
    x * rsqrt(mean(x²) + eps), a softmax as exp(x - max) / sum) that covers the whole
    graph, or None. The partition asks before it cuts a reduction that is broadcast
    back (partition.py `_build`): cut, the spelling was three kernels."""
    try:
        return _spelled(_Context(expanded(graph)))
    except (Unsupported, KeyError, IndexError, TypeError, ValueError):
        return None


def _spelled(ctx) -> Plan | None:
    for spelling in families.SPELLINGS:
        found = spelling(ctx)
        if found is not None:
            return _finish(ctx, *found)
    return None


def _plan(graph: dict) -> Plan:
    ctx = _Context(graph)
    spelled = _spelled(ctx)
    if spelled is not None:
        return spelled
    head = ctx.find_head()
    if head is None:
        if ctx.out_dtype not in FLOAT_DTYPES:
            raise Unsupported(f"pointwise output of dtype {ctx.out_dtype}")
        epilogue = ctx.region(ctx.out_shape, None, ctx.output)
        return _finish(ctx, "pointwise", "pointwise", ctx.out_shape, {}, (), epilogue)
    if head.shape is None or math.prod(head.shape) != math.prod(ctx.out_shape):
        raise Unsupported(f"{head.kind} output {head.shape} is broadcast to {ctx.out_shape}")
    core, out_perm = _written_through(ctx, head)
    family, attrs, prologue, in_shape, bias = _head(ctx, core)
    epilogue = ctx.region(ctx.out_shape, head.name, ctx.output)
    if out_perm is not None:
        attrs["out_perm"] = out_perm
        if bias is not None:  # its broadcast shape, laid out as the core op's result
            rank = len(out_perm)
            bias = (bias[0], permuted((1,) * (rank - len(bias[1])) + tuple(bias[1]), out_perm))
    if bias is not None:
        epilogue = _with_bias(ctx, epilogue, *bias)
    return _finish(ctx, family, attrs.pop("op", head.kind), in_shape, attrs, prologue, epilogue)


def _finish(ctx, family, op, in_shape, attrs, prologue, epilogue) -> Plan:
    dtype = _input_dtype(ctx, family)
    if dtype not in FLOAT_DTYPES:
        raise Unsupported(f"dtype {dtype}")
    graph = ctx.graph
    model = graph.get("model") or {}
    init = model.get("init_params")
    return Plan(
        family=family,
        op=op,
        dtype=dtype,
        out_shape=ctx.out_shape,
        in_shape=tuple(in_shape),
        attrs=tuple(sorted(attrs.items())),
        prologue=tuple(prologue),
        epilogue=tuple(epilogue),
        operands=tuple(ctx.operands),
        inputs=tuple((i["name"], tuple(i["shape"] or ()), i["dtype"]) for i in graph["inputs"]),
        params=param_entries(graph),
        init_params=tuple(tuple(sorted(p.items())) for p in init) if init is not None else None,
        out_dtype=ctx.out_dtype or dtype,
    )


def param_entries(graph: dict) -> tuple:
    """(state_dict key, shape, dtype, kind[, value]) per parameter, buffer and constant
    made inside forward (kind "constant", written into the candidate by value)."""
    return tuple(
        (
            p["name"],
            tuple(p["shape"]),
            p["dtype"],
            p["kind"],
            *([p["value"]] if "value" in p else []),
        )
        for p in graph.get("params", [])
    )


# Families whose tiles go through tl.dot, which takes one operand dtype.
DOT_FAMILIES = ("matmul", "conv", "attention")


def _input_dtype(ctx, family: str) -> str:
    """The dtype the kernel is planned for. Float32 beside one half precision (LLaMA's
    RMSNorm reads its float16 input beside its float32 statistics) is float32: every
    load is widened to float32, and a region rounds where PyTorch rounds (expr.py)."""
    floats = sorted(
        {leaf["dtype"] for leaf in ctx.leaves.values() if leaf["dtype"] in FLOAT_DTYPES}
    )
    if len(floats) > 1:
        if family in DOT_FAMILIES or len(floats) > 2 or "float32" not in floats:
            raise Unsupported(f"mixed dtypes {floats}")
        return "float32"
    return floats[0] if floats else (ctx.out_dtype or "float32")


def _with_bias(ctx, epilogue, bias_name: str, as_shape: tuple) -> tuple[Step, ...]:
    """Prepend `head + bias` so later steps see the biased value as the head."""
    builder = RegionBuilder(ctx.by_name, ctx.leaves, ctx.out_shape, None, ctx.operands)
    bias_ref = builder.operand(bias_name, as_shape)

    def shift(arg):
        if arg[0] == "head":
            return ("v", 0)
        if arg[0] == "v":
            return ("v", arg[1] + 1)
        return arg

    steps = [Step("add", (("head",), bias_ref))]
    steps += [Step(s.op, tuple(shift(a) for a in s.args), s.params) for s in epilogue]
    return tuple(steps)


def _written_through(ctx, head: Op) -> tuple[Op, tuple[int, ...] | None]:
    """(core op, out_perm): a transpose or permute of a core op whose family writes its
    result through strides (Family.permuted_output) is that op, writing its output
    already permuted, so `conv1d(...).transpose(1, 2)` costs no copy; else (head, None)."""
    if head.kind not in LAYOUT_VIEWS:
        return head, None
    view = layout_view(ctx, Ref(head.name))
    core = ctx.by_name.get(view[0]) if view is not None else None
    if view is None or core is None or core.shape is None:
        return head, None
    family = families.BY_KIND.get(core.kind)
    if family is None or not family.permuted_output:
        return head, None
    return core, None if view[1] == tuple(range(len(view[1]))) else view[1]


def _head(ctx, head: Op):
    """(family, attrs, prologue, in_shape, bias) for the core op, from the family
    registered for its kind (families.py)."""
    family = families.BY_KIND.get(head.kind)
    if family is None or family.match is None:  # a family without a match claims no kind
        raise Unsupported(f"no template for {head.kind}")
    return family.match(ctx, head)
