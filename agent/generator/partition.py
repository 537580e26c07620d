"""Split a captured graph into a sequence of kernels: `partition(graph) -> Program`.

The one-family planner (plan.py) covers graphs with a single core op; real
problems chain several (GEMM -> GroupNorm -> ReLU -> L2 normalisation). Like
Inductor's scheduler, this module walks back from the output and cuts the
graph where one kernel must end: before each core op that feeds another core
op, and after a core op whose result is broadcast back over a bigger tensor
(a reduction, a norm's statistics). Each piece between cuts is a *stage*:

- a template stage: one core op with the pointwise work after it (and, for
  row-wise families, before it) fused, planned by plan.py as if the piece were
  a problem of its own, its inputs being model inputs and earlier stages'
  results;
- a library stage: a core op no template covers (a transposed convolution, a
  pooling, batch norm with batch statistics, a view) runs as the PyTorch op
  itself, and the pointwise work around it still goes to a Triton stage.

So no problem goes without a candidate because one of its ops lacks a
template. Pure Python over the capture dict, like plan.py; nothing is run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .concat import UNFUSED, fuse_concats
from .expr import (
    CAST_DTYPES,
    CASTS,
    CONCAT,
    INTERLEAVE,
    POINTWISE,
    SELECT,
    STRETCH,
    VIEWS,
    Unsupported,
    view_chain,
)
from .graph import Op, canonical_ops, out_of_place
from .plan import Plan, param_entries, plan_or_reason, spelled_plan
from .rewrites import expanded

MAX_STAGES = 24
# What a template stage writes; a pointwise stage of another dtype runs as PyTorch's op.
FLOATS = ("float32", "float16", "bfloat16")


@dataclass(frozen=True)
class LibraryCall:
    """A core op run as PyTorch runs it: the captured node's target and arguments."""

    target: str  # "aten.conv_transpose3d.input", "F.max_pool2d", "method:sum", ...
    args: tuple  # JSON arguments as captured ({"ref": name} for tensors)
    kwargs: tuple  # sorted (key, value) pairs
    index: int | None  # which element of a tuple result (max.dim -> values, indices)
    kind: str  # canonical kind, for messages


@dataclass(frozen=True)
class Stage:
    value: str  # the graph value this stage computes
    inputs: tuple[str, ...]  # model inputs and earlier stages' values it reads
    plan: Plan | None = None  # a template kernel ...
    library: LibraryCall | None = None  # ... or the op as PyTorch runs it
    shape: tuple = ()
    dtype: str = "float32"
    head: str | None = None  # a template stage's core op (graph node), if it has one

    @property
    def label(self) -> str:
        if self.plan is not None:
            return f"{self.plan.family} ({self.plan.op})"
        assert self.library is not None  # a stage is a template kernel or a library call
        return f"{self.library.kind} (PyTorch)"


@dataclass(frozen=True)
class Program:
    """Kernels in the order they run; `outputs` names the stages' values the model
    returns, in its order (one, or the members of the tuple it returns)."""

    stages: tuple[Stage, ...]
    inputs: tuple  # (name, shape, dtype) of each forward argument
    params: tuple  # (state_dict key, shape, dtype, kind[, value]) as Plan.params
    init_params: tuple | None
    family: str = "program"
    library: tuple[str, ...] = ()  # core ops run as PyTorch runs them by choice
    outputs: tuple[str, ...] = ()

    @property
    def choice(self) -> dict:
        """The config key naming this partition (none for the default one)."""
        return {"library": list(self.library)} if self.library else {}

    def output_stages(self) -> list[Stage]:
        by_value = {stage.value: stage for stage in self.stages}
        return [by_value[name] for name in self.outputs or (self.stages[-1].value,)]

    def template_stages(self) -> list[int]:
        return [k for k, stage in enumerate(self.stages) if stage.plan is not None]

    def template_plans(self) -> list[tuple[int, Plan]]:
        return [(k, stage.plan) for k, stage in enumerate(self.stages) if stage.plan is not None]

    @property
    def op(self) -> str:
        return " -> ".join(stage.label for stage in self.stages)


def is_core(op: Op) -> bool:
    """Whether `op` ends a fused pointwise chain (anything a region cannot express)."""
    if op.kind == "batch_norm":  # pointwise only with running statistics
        return bool(op.arg(5, "training", False))
    if op.kind in CASTS or op.kind in SELECT:  # to an integer dtype: PyTorch's op
        return op.dtype not in CAST_DTYPES
    return op.kind not in POINTWISE


class _Graph:
    def __init__(self, graph: dict):
        if graph.get("unsupported"):
            raise Unsupported(f"the capture is incomplete: {graph['unsupported']}")
        if not graph.get("nodes"):
            raise Unsupported("the model's forward has no operations to compile")
        outputs = graph.get("outputs", [])
        if not outputs or not all(isinstance(name, str) for name in outputs):
            raise Unsupported(
                "the model returns something other than tensors (a nested tuple, a dict, a "
                "number); the generator writes models that return tensors"
            )
        self.graph = graph
        self.ops, self.alias = canonical_ops(graph)
        fuse_concats(self.ops, graph)
        self.by_name = {op.name: op for op in self.ops}
        position = {op.name: index for index, op in enumerate(self.ops)}
        self.order = lambda name: position.get(name, -1)  # a sort key: graph order
        self.raw = {node["name"]: node for node in graph["nodes"]}
        self.inputs = {entry["name"]: entry for entry in graph.get("inputs", [])}
        self.params = {entry["name"]: entry for entry in graph.get("params", [])}
        self.library: frozenset[str] = frozenset()
        if any(op.kind == "random_dropout" for op in self.ops):
            raise Unsupported(
                "dropout with p > 0 in training mode is random, so no candidate can match the "
                "reference; if the model runs in eval mode, declare INFERENCE = True in the problem"
            )
        self.outputs = [self.resolve(name) for name in outputs]
        if any(name in self.inputs or name in self.params for name in self.outputs):
            raise Unsupported(
                "the model returns an input or a parameter unchanged: the generator writes "
                "models whose every output is computed"
            )

    def unfuse(self, names: list[str]) -> None:
        """These fused cats run as PyTorch's `cat` from now on, in this graph and in
        every piece of it planned apart (`_subgraph`)."""
        for name in names:
            op = self.by_name[name]
            op.kind, op.args = op.unfused or ("cat", op.args)
        self.graph = {**self.graph, UNFUSED: sorted({*self.graph.get(UNFUSED, ()), *names})}

    def resolve(self, name: str) -> str:
        while name in self.alias:
            name = self.alias[name]
        return name

    def is_leaf(self, name: str) -> bool:
        return name in self.inputs or name in self.params

    def meta(self, name: str) -> tuple[tuple, str]:
        if name in self.inputs:
            entry = self.inputs[name]
            return tuple(entry.get("shape") or ()), entry.get("dtype") or "float32"
        if name in self.params:
            entry = self.params[name]
            return tuple(entry["shape"]), entry["dtype"]
        op = self.by_name[name]
        if op.shape is None:
            raise Unsupported(f"the shape of `{op.kind}`'s result is unknown after capture")
        return tuple(op.shape), op.dtype or "float32"


def partition(graph: dict, library: frozenset[str] = frozenset()) -> Program:
    """The graph as template and library stages; raises Unsupported with a sentence.

    Core ops named in `library` run as PyTorch runs them even where a template
    covers them (the pointwise work around them is still fused in Triton)."""
    g = _Graph(expanded(graph))
    g.library = library
    stages: dict[str, Stage] = {}
    # In graph order: an output that another output is computed from is written
    # anyway, so the later one reads it instead of recomputing it from the inputs. A
    # residual add returned beside the RMSNorm of its sum was three kernels (the add
    # recomputed in the norm's two passes); read as a stage, the norm's spelling matches.
    for output in sorted(dict.fromkeys(g.outputs), key=g.order):
        _build(g, output, stages)
    ordered = tuple(stages.values())
    if len(ordered) > MAX_STAGES:
        raise Unsupported(
            f"the model needs {len(ordered)} kernels; the generator writes at most {MAX_STAGES}"
        )
    if not any(stage.plan is not None for stage in ordered):
        ops = ", ".join(sorted({f"`{s.library.kind}`" for s in ordered if s.library is not None}))
        raise Unsupported(
            f"{ops} {'has' if len(ordered) == 1 else 'have'} no Triton template here and "
            "there is no pointwise work around to fuse: the PyTorch op is the whole answer"
        )
    return Program(
        stages=ordered,
        inputs=tuple(
            (i["name"], tuple(i["shape"] or ()), i["dtype"]) for i in graph.get("inputs", [])
        ),
        params=param_entries(graph),
        init_params=_init_params(graph),
        library=tuple(sorted(library)),
        outputs=tuple(g.outputs),
    )


def _init_params(graph: dict) -> tuple | None:
    init = (graph.get("model") or {}).get("init_params")
    return tuple(tuple(sorted(p.items())) for p in init) if init is not None else None


def _build(g: _Graph, value: str, stages: dict[str, Stage], depth: int = 0) -> None:
    """Make sure a stage computes `value`, after the stages it reads."""
    if g.is_leaf(value) or value in stages:
        return
    if depth > 4 * MAX_STAGES:
        raise Unsupported("the model's graph is too deep to split into kernels")
    op = g.by_name.get(value)
    if op is not None and op.kind in VIEWS:  # a view of a stage's result costs no kernel
        for arg in op.tensor_args():
            _build(g, g.resolve(arg.name), stages, depth + 1)
        stages[value] = _library_stage(g, op)
        return
    cuts: set[str] = set()
    for _ in range(4 * MAX_STAGES):
        boundary = set(stages) | cuts

        def done(name: str, boundary=boundary) -> bool:
            return g.is_leaf(name) or name in boundary

        heads, viewed = _reach(g, value, done)
        if viewed:  # a region reads views of stages' results, never of its own steps
            cuts |= set(viewed)
            continue
        shape, dtype = g.meta(value)
        broadcast = [h for h in heads if math.prod(g.meta(h)[0]) != math.prod(shape)]
        spelled = spelled_plan(_subgraph(g, value, boundary)) if broadcast else None
        if spelled is not None:  # a written-out norm or softmax: one kernel, not cut
            _build_each(g, cuts, stages, depth)
            stages[value] = _template_stage(g, value, spelled, None)
            return
        if broadcast or len(heads) > 1:
            # A reduction broadcast back, or two core ops meeting in one chain: each
            # of those results is its own stage, read here as an operand.
            keep = [h for h in heads if h not in broadcast][-1:]
            cuts |= set(heads) - set(keep)
            continue
        head = heads[0] if heads else None
        fed = _computed_inputs(g, g.by_name[head], done) if head else []
        behind = [a for a in fed if any(_reach(g, a, done))]  # any heads or viewed values
        if behind:  # a core op feeds this one: the chain between them ends the earlier kernel
            reached = [_reach(g, a, done) for a in behind]
            before = {h for heads_of, _ in reached for h in heads_of}
            if before and before <= g.library and not any(v for _, v in reached):
                # ... unless the earlier op runs as PyTorch's call, which takes no
                # epilogue: the chain joins this kernel as its prologue (q @ k^T by
                # cuBLAS, then `/ sqrt(d)` fused into the softmax that reads it)
                cuts |= before
                continue
            cuts |= set(behind)
            continue
        if head is not None and head in g.library:  # PyTorch's op by choice
            if fed:
                cuts |= set(fed)
                continue
            if head != value:
                cuts.add(head)
                continue
            _build_each(g, cuts, stages, depth)
            stages[value] = _library_stage(g, g.by_name[head])
            return
        _build_each(g, cuts, stages, depth)
        found, reason = plan_or_reason(_subgraph(g, value, set(stages) | cuts))
        if found is not None:
            stages[value] = _template_stage(g, value, found, head)
            return
        if head is None:
            if dtype not in FLOATS:  # a bool mask (`.bool()`, `x > 0`): PyTorch's op writes it
                op = g.by_name[value]
                for arg in op.tensor_args():
                    _build(g, g.resolve(arg.name), stages, depth + 1)
                stages[value] = _library_stage(g, op)
                return
            fused = _fused_cats(g, value, set(stages) | cuts)
            if fused:  # the region could not index a cat: it runs as PyTorch's op
                g.unfuse(fused)
                continue
            raise Unsupported(reason)
        if fed:  # no prologue for this family: materialise its computed inputs first
            cuts |= set(fed)
            continue
        if head == value:  # the core op itself, as PyTorch runs it
            stages[value] = _library_stage(g, g.by_name[head])
            return
        cuts.add(head)  # the op as PyTorch runs it, the work after it in Triton
    raise Unsupported("the model's graph could not be split into kernels")


def _build_each(g: _Graph, cuts: set[str], stages: dict[str, Stage], depth: int) -> None:
    """The stages of the cuts a kernel reads, in graph order, before the kernel's own."""
    for name in sorted(cuts, key=g.order):
        _build(g, name, stages, depth + 1)


def _template_stage(g: _Graph, value: str, found: Plan, head: str | None) -> Stage:
    """`value` as one template kernel."""
    shape, dtype = g.meta(value)
    inputs = tuple(name for name, _, _ in found.inputs)
    return Stage(value, inputs, plan=found, shape=shape, dtype=dtype, head=head)


def _reach(g: _Graph, value: str, done) -> tuple[list[str], list[str]]:
    """What ends the kernel computing `value`, walking back through pointwise ops.

    Heads: core ops, and pointwise ops on fewer elements than `value` (`rsqrt(var +
    eps)` before it is broadcast back over the rows), which a fused chain cannot
    hold. Viewed: computed values read through views (`mean.unsqueeze(-1).expand_as(x)`,
    `w.view(1, 3, 1, 1)`), which must be stages first so the kernel reads them by an
    index rule, without a copy. Both in graph order."""
    size = math.prod(g.meta(value)[0])
    heads, viewed, seen = set(), set(), set()
    stack = [(value, False)]  # (name, inside a fused cat's piece)
    while stack:
        name, piece = stack.pop()
        if (name, piece) in seen or done(name) and name != value:
            continue
        seen.add((name, piece))
        op = g.by_name.get(name)
        if op is None:
            continue
        chain = view_chain(g.by_name, name)
        if chain is not None:
            if not done(g.resolve(chain.source)):
                viewed.add(g.resolve(chain.source))
        elif piece and op.kind in ("slice", "narrow"):  # read at a shifted place (concat.py)
            source = g.resolve(op.args[0].name)
            inner = g.by_name.get(source)
            if inner is not None and not done(source) and inner.kind in SHIFTED:
                stack.append((source, True))  # computed here at the shifted place too
            elif not done(source):  # a core op's result or a view: a stage first
                viewed.add(source)
        elif is_core(op) or (
            not piece
            and op.shape is not None
            and math.prod(op.shape) != size
            and not _on_leaves(g, op, done)
        ):
            heads.add(name)
        else:  # a cat's pieces are smaller than it, by design
            inside = piece or op.kind in READ_SHIFTED
            stack.extend((a.name, inside) for a in op.tensor_args())
    return sorted(heads, key=g.order), sorted(viewed, key=g.order)


# What a region computes at a shifted place: pointwise work and slices (concat.py).
SHIFTED = POINTWISE | {"slice", "narrow"}
# Fused ops that read their arguments at a shifted place (concat.py).
READ_SHIFTED = (CONCAT, INTERLEAVE, STRETCH)


def _fused_cats(g: _Graph, value: str, boundary: set[str]) -> list[str]:
    """The fused cats (concat.py) among the ops computing `value` from `boundary`."""
    found, seen, stack = [], set(), [value]
    while stack:
        name = stack.pop()
        if name in seen or g.is_leaf(name) or (name in boundary and name != value):
            continue
        seen.add(name)
        op = g.by_name.get(name)
        if op is None:
            continue
        if op.kind in READ_SHIFTED:
            found.append(name)
        stack.extend(g.resolve(a.name) for a in op.tensor_args())
    return found


def _on_leaves(g: _Graph, op: Op, done, depth: int = 0) -> bool:
    """Whether a pointwise op reads only leaves, stages' results and such ops (Gemma's
    `1.0 + weight`): on fewer elements than the kernel's value, it is computed at each
    element it broadcasts to (expr.RegionBuilder.build), where work fed by a reduction
    (`rsqrt(var + eps)`) must be a stage of its own first."""
    if depth > 16 or is_core(op) or op.kind in ("tril", "triu", CONCAT, INTERLEAVE):
        return False  # (a cat indexes its pieces by the region's own shape)
    for arg in op.tensor_args():
        name = g.resolve(arg.name)
        if done(name):
            continue
        chain = view_chain(g.by_name, name)
        if chain is not None:  # `scale.unsqueeze(1)`: read by an index rule, if a leaf's
            if done(g.resolve(chain.source)):
                continue
            return False
        inner = g.by_name.get(name)
        if inner is None:
            return False
        if not _on_leaves(g, inner, done, depth + 1):
            return False
    return True


def _computed_inputs(g: _Graph, op: Op, done) -> list[str]:
    """The core op's tensor arguments that are computed here (not leaves or stages)."""
    return sorted({a.name for a in op.tensor_args() if not done(a.name)}, key=g.order)


def _subgraph(g: _Graph, value: str, boundary: set[str]) -> dict:
    """A capture dict computing `value` from leaves and `boundary` values, which become
    the piece's inputs (so plan.py can plan it as a problem of its own)."""
    needed, stack = [], [value]
    seen = set()
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        if g.is_leaf(name) or (name in boundary and name != value):
            continue
        needed.append(name)
        for ref in _raw_refs(g, name):  # an alias of a boundary value reads the value
            stack.append(g.resolve(ref) if g.resolve(ref) in boundary else ref)
    raw_names = [n["name"] for n in g.graph["nodes"] if n["name"] in set(needed)]
    nodes = [_renamed(g.raw[n], g, boundary - {value}) for n in raw_names]
    inputs = [dict(entry) for entry in g.graph.get("inputs", [])]
    for name in sorted(boundary - {value}, key=g.order):
        shape, dtype = g.meta(name)
        inputs.append({"name": name, "shape": list(shape), "dtype": dtype})
    used = {r for n in nodes for r in _refs_in(n.get("args")) | _refs_in(n.get("kwargs"))}
    for node in nodes:  # torch.fx's call_module nodes name their weights, not as arguments
        module = node.get("module") or {}
        used |= set((module.get("params") or {}).values()) | set(
            (module.get("buffers") or {}).values()
        )
    return {
        **{k: v for k, v in g.graph.items() if k not in ("nodes", "inputs", "params", "outputs")},
        "nodes": nodes,
        "inputs": [i for i in inputs if i["name"] in used or i["name"] in g.inputs],
        "params": [p for p in g.graph.get("params", []) if p["name"] in used],
        "outputs": [value],
    }


def _raw_refs(g: _Graph, name: str) -> list[str]:
    """The values the raw node `name` (and any alias chain into it) reads."""
    node = g.raw.get(name)
    if node is None:
        return []
    return sorted(_refs_in(node.get("args")) | _refs_in(node.get("kwargs")))


def _refs_in(value) -> set[str]:
    if isinstance(value, dict):
        if set(value) == {"ref"}:
            return {value["ref"]}
        return set().union(*(_refs_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_refs_in(v) for v in value)) if value else set()
    return set()


def _map_refs(value, rename):
    """A JSON argument with every {"ref": name} replaced by {"ref": rename(name)}."""
    if isinstance(value, dict) and set(value) == {"ref"}:
        return {"ref": rename(value["ref"])}
    if isinstance(value, list):
        return [_map_refs(v, rename) for v in value]
    if isinstance(value, dict):
        return {k: _map_refs(v, rename) for k, v in value.items()}
    return value


def _renamed(node: dict, g: _Graph, boundary: set[str]) -> dict:
    """A raw node whose references to an alias of a boundary value name the value."""

    def rename(name: str) -> str:
        return g.resolve(name) if g.resolve(name) in boundary else name

    return {
        **node,
        "args": _map_refs(node.get("args", []), rename),
        "kwargs": _map_refs(node.get("kwargs", {}), rename),
    }


def _library_stage(g: _Graph, op: Op) -> Stage:
    node = g.raw[op.name]
    index = None
    if node["op"].endswith("getitem") and node.get("args"):
        source = node["args"][0]
        if isinstance(source, dict) and "ref" in source and source["ref"] in g.raw:
            index = node["args"][1]
            node = g.raw[source["ref"]]
    if node["op"].startswith("call_module:"):
        raise Unsupported(
            f"`{op.kind}` has no Triton template here, and this capture (torch.fx, after "
            "torch.export failed) does not say how to call it as a PyTorch op"
        )
    call = LibraryCall(
        target=out_of_place(node["op"]),
        args=tuple(_map_refs(node.get("args", []), g.resolve)),
        kwargs=tuple(sorted(_map_refs(node.get("kwargs", {}), g.resolve).items())),
        index=index,
        kind=op.kind,
    )
    refs = _refs_in(list(call.args)) | _refs_in(dict(call.kwargs))
    reads = tuple(sorted((r for r in refs if r not in g.params), key=g.order))
    shape, dtype = g.meta(op.name)
    return Stage(op.name, reads, library=call, shape=shape, dtype=dtype)
