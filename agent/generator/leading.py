"""Generated code that takes the leading dim (the batch) at run time.

DESIGN.md "Candidate": kernels take sizes at run time; what stays specialised
is guarded. Real code calls the same op at batch 1, at an odd batch, at
prefill and at decode. For plans whose kernels never see the leading dim (it
only counts rows or elements: grids, output allocations, the `outer` of a row
view), the plan is rendered with that dim as `Size`: an int whose value the
heuristics use as before and which prints as code (`kw_lead * 8`), so the
launch code reads it from the call's inputs. The other dims stay numbers and
are checked by `kw_accepts`; other shapes run the original PyTorch.

Which plans qualify is checked here, on the plan; that the rendered kernels
never name the leading dim is checked on the source (`kernels_static`). A
template that baked it into a kernel would be caught there, and the harness
verifies every candidate at leading dims 1 and 3 besides (harness/derived_shapes.py).
"""

from __future__ import annotations

import dataclasses
import math
import re

from .plan import Plan

LEAD = "kw_lead"  # forward's local: this call's leading dim
FAMILIES = frozenset({"pointwise", "softmax", "norm", "reduction"})


def _code(value: int) -> str:
    return value.expr if isinstance(value, Size) else repr(int(value))


def _binary(symbol: str, function, reflected: bool = False):
    identity = {"*": 1, "+": 0, "-": 0, "//": 1}[symbol]

    def method(self, other):
        if not isinstance(other, int) or isinstance(other, bool):
            return NotImplemented
        if other == identity and not isinstance(other, Size) and (symbol in "*+" or not reflected):
            return self  # `kw_lead * 1` reads as `kw_lead`
        left, right = (other, self) if reflected else (self, other)
        return Size(function(int(left), int(right)), f"({_code(left)} {symbol} {_code(right)})")

    return method


class Size(int):
    """A size known here by its value and written into code as an expression."""

    expr: str

    def __new__(cls, value: int, expr: str) -> Size:
        size = super().__new__(cls, value)
        size.expr = expr
        return size

    __mul__ = _binary("*", lambda a, b: a * b)
    __rmul__ = _binary("*", lambda a, b: a * b, reflected=True)
    __add__ = _binary("+", lambda a, b: a + b)
    __radd__ = _binary("+", lambda a, b: a + b, reflected=True)
    __sub__ = _binary("-", lambda a, b: a - b)
    __rsub__ = _binary("-", lambda a, b: a - b, reflected=True)
    __floordiv__ = _binary("//", lambda a, b: a // b)
    __rfloordiv__ = _binary("//", lambda a, b: a // b, reflected=True)

    def __neg__(self) -> Size:
        return Size(-int(self), f"(-{self.expr})")

    def __repr__(self) -> str:
        return self.expr

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return format(int(self), spec) if spec else self.expr


def leading_inputs(plan: Plan) -> tuple[int, set[str]] | None:
    """The first tensor input's dim 0 and the inputs sharing it (as the harness's derived
    shapes resize them together), or None when no input has dims."""
    shaped = [(name, shape) for name, shape, _ in plan.inputs if shape]
    if not shaped:
        return None
    size = shaped[0][1][0]
    return size, {name for name, shape in shaped if shape[0] == size}


def dynamic_plan(plan: Plan) -> Plan | None:
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
    if tuple(plan.in_shape) not in {shapes[name] for name in names}:
        return None  # the core op reads a view, a permute or a broadcast of the inputs
    if not all(_operand_ok(operand, names) for operand in plan.operands):
        return None
    attrs = _dynamic_attrs(plan, size)
    if attrs is None:
        return None
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


def _operand_ok(operand, names: set[str]) -> bool:
    """Its index rule never involves dim 0 (expr.broadcast_rule): a scalar, a whole
    input sharing the leading dim, or a slice of inner dims."""
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
    return False  # "expand": materialised at the region's whole shape


def _dynamic_attrs(plan: Plan, size: int) -> tuple | None:
    """The plan's attrs with the leading dim's share of `outer` symbolic (norms store
    their row view), or None when the op works across dim 0."""
    attrs = dict(plan.attrs)
    dims = attrs.get("dims")
    if dims is not None and 0 in tuple(dims):
        return None  # a reduction, softmax or norm over the batch
    if plan.family == "norm":
        outer = attrs.get("outer")
        rest = math.prod(plan.in_shape[1:])
        width = attrs.get("R", 0) * attrs.get("inner", 0)
        if not outer or outer % size or not width or rest % width:
            return None
        attrs["outer"] = Size(size, LEAD) * (outer // size)
    return tuple(sorted(attrs.items()))


_JIT_FUNCTION = re.compile(r"@triton\.jit\s*\ndef .*?(?=\n\S|\Z)", re.DOTALL)
_DOCSTRING = re.compile(r'"""(?:.|\n)*?"""')


def kernels_static(source: str) -> bool:
    """Whether no Triton function of the module names the leading dim: a kernel that
    did would not compile (the name is forward's local), or bake it in."""
    for kernel in _JIT_FUNCTION.findall(source):
        code = _DOCSTRING.sub("", kernel)
        code = re.sub(r"#.*", "", code)
        if re.search(rf"\b{LEAD}\b", code):
            return False
    return True
