"""Generated code that takes the leading dim (the batch) at run time.

DESIGN.md "Candidate": kernels take sizes at run time; what stays specialised
is guarded. Real code calls the same op at batch 1, at an odd batch, at
prefill and at decode. For plans whose kernels never see the leading dim (it
only counts rows or elements: grids, output allocations, the `outer` of a row
view), the plan is rendered with that dim as `Size`: an int whose value the
heuristics use as before and which prints as code (`kw_lead * 8`), so the
launch code reads it from the call's inputs. The other dims stay numbers and
are checked by `kw_accepts`; other shapes run the original PyTorch.

An elementwise plan over inputs of one shape, each read whole (no bias or scale
broadcast from a weight), has kernels that see only `numel`: there every dim is
read at run time (`kw_shape[1]`, ...), so a GELU over [batch, seq, 4 * C] serves
every sequence length, not only the batch. The harness's odd-last-dim trial
verifies it (harness/derived_shapes.py).

Which plans qualify is checked here, on the plan; that the rendered kernels
never name the leading dim is checked on the source (`kernels_static`). A
template that baked it into a kernel would be caught there, and the harness
verifies every candidate at leading dims 1 and 3 besides (harness/derived_shapes.py).
"""

from __future__ import annotations

import dataclasses
import math
import re

from .patterns import unpermuted
from .plan import Plan
from .size import Size

LEAD = "kw_lead"  # forward's local: this call's leading dim
SHAPE = "kw_shape"  # forward's local: this call's shape, where every dim is read
QUERIES, KEYS = "kw_queries", "kw_keys"  # forward's locals: attention's sequence lengths
# A plan attr: ((local, dim, (input, ...)), ...): each local is dim `dim` of the first
# input, and the others must agree (render.py writes the reads and the checks).
READS = "run_time_dims"
# Steps whose value depends on the element's place (templates/common.py emit_region:
# tril/triu keep by `offs % cols` and `(offs // cols) % rows`, a fused cat picks its
# piece by `(offs // inner) % size`, sizes written as numbers).
POSITIONAL = frozenset({"tril", "triu", "concat", "interleave"})
FAMILIES = frozenset(
    {"pointwise", "softmax", "norm", "reduction", "matmul", "conv", "pool", "attention"}
)


def leading_inputs(plan: Plan) -> tuple[int, set[str]] | None:
    """The first tensor input's dim 0 and the inputs sharing it (as the harness's derived
    shapes resize them together), or None when no input has dims."""
    shaped = [(name, shape) for name, shape, _ in plan.inputs if shape]
    if not shaped:
        return None
    size = shaped[0][1][0]
    return size, {name for name, shape in shaped if shape[0] == size}


def dynamic_plan(plan: Plan, config: dict | None = None) -> Plan | None:
    """The plan with its leading dim as `Size(LEAD)`, or None where the dim reaches a
    kernel (it is reduced, normalised, indexed by an operand's rule) or the plan's
    shapes do not follow the inputs' leading dim."""
    found = leading_inputs(plan)
    if plan.family not in FAMILIES or found is None:
        return None
    size, names = found
    shapes = {name: tuple(shape) for name, shape, _ in plan.inputs if shape}
    if size < 1 or not plan.in_shape or not plan.out_shape:
        return None
    if plan.in_shape[0] != size or plan.out_shape[0] != size:
        return None
    in_perm = plan.attr("in_perm")  # an input read through a permute's strides (conv)
    if any(perm and perm[0] != 0 for perm in (in_perm, plan.attr("out_perm"))):
        return None  # a permute moves dim 0: it is not the batch on both sides
    read = unpermuted(tuple(plan.in_shape), in_perm) if in_perm else tuple(plan.in_shape)
    if read not in {shapes[name] for name in names}:
        return None  # the core op reads a view, a permute or a broadcast of the inputs
    if not all(_operand_ok(operand, names) for operand in plan.operands):
        return None
    if plan.family == "matmul":
        return _matmul_plan(plan, size, names)
    if plan.family == "conv" and plan.attr("weight") in names:
        return None  # a weight passed to forward whose dim 0 (C_out) equals the batch
    attrs = _dynamic_attrs(plan, size)
    if attrs is None:
        return None
    if plan.family == "attention":
        sequences = _attention_plan(plan, attrs, size, names)
        if sequences is not None:
            return sequences
    every = _every_dim_plan(plan, names, config or {})
    if every is not None:
        return every
    lead = Size(size, LEAD)
    return dataclasses.replace(
        plan,
        in_shape=(lead, *plan.in_shape[1:]),
        out_shape=(lead, *plan.out_shape[1:]),
        inputs=tuple(
            (name, (lead, *shape[1:]) if name in names else shape, dtype)
            for name, shape, dtype in plan.inputs
        ),
        attrs=attrs,
    )


def _every_dim_plan(plan: Plan, names: set[str], config: dict) -> Plan | None:
    """An elementwise plan, a one-pass reduction or a one-pass softmax over the last dim,
    over inputs of one shape, every operand whole or a scalar (an epilogue operand of
    a reduction's output shape is neither), with every dim read at run time; None for
    any other plan. The softmax's block follows the row length: its launch looks the
    config up by the row's bucket (templates/softmax.py: bucketed)."""
    shape = tuple(plan.in_shape)
    reduced = _last_dim_reduction(plan, config)
    if len(shape) < 2 or tuple(plan.out_shape) != (_reduced(shape, plan) if reduced else shape):
        return None
    if plan.family != "pointwise" and not _last_dim_softmax(plan, config) and not reduced:
        return None
    if any(step.op in POSITIONAL for step in (*plan.prologue, *plan.epilogue)):
        return None  # its kernel computes each element's row and column from the sizes
    tensors = [(name, tuple(s)) for name, s, _ in plan.inputs if s]
    if any(s != shape for _, s in tensors) or {name for name, _ in tensors} != names:
        return None
    if any(
        operand.mode != "scalar" and (operand.mode != "full" or operand.is_param)
        for operand in plan.operands
    ):
        return None  # a weight, or a tensor broadcast over the others
    dims = (Size(shape[0], LEAD), *(Size(n, f"{SHAPE}[{d}]") for d, n in enumerate(shape) if d))
    return dataclasses.replace(
        plan,
        in_shape=dims,
        out_shape=_reduced(dims, plan) if reduced else dims,
        inputs=tuple((name, dims if name in names else s, dtype) for name, s, dtype in plan.inputs),
    )


def _last_dim_reduction(plan: Plan, config: dict) -> bool:
    """A reduction over the last dim in one pass (no split): its kernel loops over the row
    in BLOCK_R chunks up to its R argument, so it is right at any row length."""
    dims = tuple(plan.attr("dims") or ())
    return (
        plan.family == "reduction"
        and dims == (len(plan.in_shape) - 1,)
        and config.get("SPLIT", 1) == 1
    )


def _reduced(shape: tuple, plan: Plan) -> tuple:
    """The shape with its last dim reduced, kept as 1 under keepdim."""
    return (*shape[:-1], 1) if plan.attr("keepdim") else tuple(shape[:-1])


def _last_dim_softmax(plan: Plan, config: dict) -> bool:
    """A softmax over the last dim, at a config whose row is one block (no online sweep,
    no split): the kernel is right at any row length its block covers."""
    dims = tuple(plan.attr("dims") or ())
    return (
        plan.family == "softmax"
        and dims == (len(plan.in_shape) - 1,)
        and config.get("passes") == "one"
        and config.get("SPLIT", 1) == 1
    )


def _operand_ok(operand, names: set[str]) -> bool:
    """Its index rule never involves dim 0 (expr.broadcast_rule): a scalar, a whole
    input sharing the leading dim, or a slice of inner dims. Not a read at a shifted
    place (expr.Operand.at), whose index names the region's sizes."""
    if operand.at:
        return False
    if operand.mode == "scalar":
        return True
    if operand.mode == "full":
        return (
            not operand.is_param
            and operand.name in names
            and tuple(operand.shape) == tuple(operand.region)
        )
    if operand.mode == "slice":
        return len(operand.shape) < len(operand.region) or operand.shape[0] == 1
    return False  # "strided": its rule names the region's sizes


def _dynamic_attrs(plan: Plan, size: int) -> tuple | None:
    """The plan's attrs with the leading dim's share of `outer` symbolic (norms store
    their row view), or None when the op works across dim 0."""
    attrs = dict(plan.attrs)
    dims = attrs.get("dims")
    if dims is not None and 0 in tuple(dims):
        return None  # a reduction, softmax or norm over the batch
    if plan.family == "attention":  # q, k, v fold [batch, heads] into the kernel's grid
        if attrs["batch"] % size:
            return None
        attrs["batch"] = Size(size, LEAD) * (attrs["batch"] // size)
    if plan.family == "norm":
        outer = attrs.get("outer")
        rest = math.prod(plan.in_shape[1:])
        width = attrs.get("R", 0) * attrs.get("inner", 0)
        if not outer or outer % size or not width or rest % width:
            return None
        attrs["outer"] = Size(size, LEAD) * (outer // size)
    return tuple(sorted(attrs.items()))


def _matmul_plan(plan: Plan, size: int, names: set[str]) -> Plan | None:
    """A matmul with the sizes that follow the batch read at run time, or None where the
    leading dim is not the first operand's own (a transposed operand, `W @ x`) or the
    second operand shares it by coincidence. The kernel takes M, N, K and the batch as
    arguments (templates/matmul.py); only the launch's sizes change.

    `x @ W` and nn.Linear over [batch, seq, K] fold every dim but K into the rows M: where
    x is the only input that follows the batch, each of those dims is read at run time
    (prefill, decode, any prompt length); `bmm` reads its batch, which both operands share."""
    attrs = dict(plan.attrs)
    a, b, batch = attrs["a"], attrs["b"], attrs["batch"]
    shape, out = tuple(plan.in_shape), tuple(plan.out_shape)
    if attrs.get("a_t") or a not in names or out[:-1] != shape[:-1]:
        return None
    lead = Size(size, LEAD)
    if batch == 1:
        if b in names:
            return None  # b's dim 0 is K: it does not follow the batch
        inner = (Size(n, f"{SHAPE}[{d}]") for d, n in enumerate(shape[:-1]) if d)
        dims = (lead, *(inner if names == {a} else shape[1:-1]), shape[-1])
        rows = lead
        for n in dims[1:-1]:
            rows = rows * n
        attrs["M"] = rows
    else:
        if b not in names or batch % size:
            return None
        attrs["batch"] = lead * (batch // size)
        dims = (lead, *shape[1:])
    return dataclasses.replace(
        plan,
        in_shape=dims,
        out_shape=(*dims[:-1], out[-1]),
        inputs=tuple(
            (name, dims if name == a else (lead, *s[1:]) if name in names else s, dtype)
            for name, s, dtype in plan.inputs
        ),
        attrs=tuple(sorted(attrs.items())),
    )


def _attention_plan(plan: Plan, attrs_items: tuple, size: int, names: set[str]) -> Plan | None:
    """Attention with its batch and both sequence lengths read at run time: q's (prefill,
    decode's one query) and the keys' (a KV cache that grows), the way a model calls it.
    The kernel takes L and S as arguments; the causal mask is q's i against key j <= i, as
    `is_causal` is for any L and S. None (batch only, or nothing) where an epilogue operand
    has the output's shape or q, k and v are not three inputs of rank 3 or more.
    `attrs_items`: the plan's attrs with the batch already read (`_dynamic_attrs`)."""
    attrs = dict(attrs_items)
    q, k, v = attrs["q"], attrs["k"], attrs["v"]
    shapes = {name: tuple(s) for name, s, _ in plan.inputs if s}
    if len({q, k, v}) < 3 or not {q, k, v} <= names:
        return None
    if len(shapes[q]) < 3 or any(operand.mode == "full" for operand in plan.operands):
        return None
    lead = Size(size, LEAD)
    queries, keys = Size(attrs["L"], QUERIES), Size(attrs["S"], KEYS)

    def sized(shape: tuple, sequence: Size) -> tuple:
        return (lead, *shape[1:-2], sequence, shape[-1])

    attrs.update(L=queries, S=keys)
    attrs[READS] = ((QUERIES, -2, (q,)), (KEYS, -2, (k, v)))
    return dataclasses.replace(
        plan,
        in_shape=sized(shapes[q], queries),
        out_shape=sized(tuple(plan.out_shape), queries),
        inputs=tuple(
            (name, sized(s, queries if name == q else keys) if name in (q, k, v) else s, dtype)
            for name, s, dtype in plan.inputs
        ),
        attrs=tuple(sorted(attrs.items())),
    )


_JIT_FUNCTION = re.compile(r"@triton\.jit\s*\ndef .*?(?=\n\S|\Z)", re.DOTALL)
_DOCSTRING = re.compile(r'"""(?:.|\n)*?"""')


def kernels_static(source: str) -> bool:
    """Whether no Triton function of the module names the sizes read at run time: a
    kernel that did would not compile (the names are forward's locals), or bake them in."""
    for kernel in _JIT_FUNCTION.findall(source):
        code = _DOCSTRING.sub("", kernel)
        code = re.sub(r"#.*", "", code)
        if re.search(rf"\b({LEAD}|{SHAPE}|{QUERIES}|{KEYS})\b", code):
            return False
    return True
