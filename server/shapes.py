"""Shape annotations: the comment that tells kernelwright a selection's inputs.

Syntax (documented in server/README.md):

    # kernelwright: x: float32[4096, 4096], w: bf16[N, K], eps: float = 1e-6, causal: bool = True

Entries are `name: dtype[dim, ...]` for a tensor and `name: float|int|bool = value`
for a scalar (a launcher's eps, a flag), comma-separated; a dim or a value is a
literal or a module-level constant of the file. Several annotation lines add up; the one
nearest the target wins for a name. They are read from the comment block just
above the target's line, from the enclosing function's lines before the target,
and from the comment block just above that function (its decorators included).
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

from .documents import ParsedDocument

PREFIX = "# kernelwright:"
_LINE = re.compile(r"^\s*#\s*kernelwright:\s*(?P<body>.*)$")
_ENTRY = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<dtype>[A-Za-z0-9_]+)\s*\[(?P<dims>[^\]]*)\]$"
)

DTYPES = {
    "float32": "float32",
    "f32": "float32",
    "float": "float32",
    "fp32": "float32",
    "float16": "float16",
    "f16": "float16",
    "half": "float16",
    "fp16": "float16",
    "bfloat16": "bfloat16",
    "bf16": "bfloat16",
    "float64": "float64",
    "f64": "float64",
    "double": "float64",
    "int64": "int64",
    "long": "int64",
    "int32": "int32",
    "int": "int32",
    "int8": "int8",
    "uint8": "uint8",
    "bool": "bool",
}


@dataclass(frozen=True)
class TensorSpec:
    dtype: str  # torch dtype name, e.g. "float32"
    dims: tuple[str, ...]  # integer literals or module constant names, as source text
    source: str  # "annotation" | "get_inputs" | "recorded"


@dataclass(frozen=True)
class ScalarSpec:
    kind: str  # "float" | "int" | "bool"
    value: str  # a literal or a module constant's name, as source text
    source: str  # "annotation"


@dataclass(frozen=True)
class InitSpec:
    """`init: GPTConfig(n_embd=64)`: the module's constructor arguments, a Python
    expression over the file's names (a tuple for several positional arguments)."""

    expr: str


@dataclass(frozen=True)
class ReferenceSpec:
    """`reference: torch.softmax(x, dim=-1)`: what a Triton launcher computes, written
    in PyTorch over the launcher's parameters. kernelwright plans kernels of its own
    from it (server/torch_twin.py); the verdict is always against the user's kernel."""

    expr: str


InputSpec = TensorSpec | ScalarSpec
INIT_KEY = "init"
REFERENCE_KEY = "reference"
# Entries whose value is a Python expression: key -> (spec, what it is, an example).
_EXPRESSIONS: dict[str, tuple[type[InitSpec] | type[ReferenceSpec], str, str]] = {
    INIT_KEY: (InitSpec, "the constructor's arguments", "init: GPTConfig(n_embd=64)"),
    REFERENCE_KEY: (ReferenceSpec, "the expression", "reference: torch.softmax(x, dim=-1)"),
}
SCALAR_KINDS = ("float", "int", "bool")
_SCALAR = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<kind>float|int|bool)\s*=\s*(?P<value>\S.*?)\s*$"
)
_INT = re.compile(r"^[+-]?\d+$")


@dataclass
class Annotations:
    specs: dict[str, InputSpec]
    errors: list[str]
    line: int | None  # line of the nearest annotation, if any
    init: InitSpec | None = None  # the constructor's arguments, where annotated
    reference: ReferenceSpec | None = None  # a launcher's computation in PyTorch


def parse_line(
    body: str, constants: set[str]
) -> tuple[dict[str, InputSpec | InitSpec | ReferenceSpec], list[str]]:
    specs: dict[str, InputSpec | InitSpec | ReferenceSpec] = {}
    errors: list[str] = []
    for raw in _split_entries(body):
        entry = raw.strip()
        if not entry:
            continue
        key, _, value = entry.partition(":")
        expression = _EXPRESSIONS.get(key.strip())
        if expression is not None and not _ENTRY.match(entry) and not _SCALAR.match(entry):
            spec_type, what, example = expression
            problem = _expression_problem(value.strip(), what, example)
            if problem:
                errors.append(f"`{key.strip()}`: {problem}")
            else:
                specs[key.strip()] = spec_type(value.strip())
            continue
        scalar = _SCALAR.match(entry)
        if scalar is not None:
            problem = _scalar_problem(scalar["kind"], scalar["value"], constants)
            if problem:
                errors.append(f"`{scalar['name']}`: {problem}")
            else:
                specs[scalar["name"]] = ScalarSpec(scalar["kind"], scalar["value"], "annotation")
            continue
        m = _ENTRY.match(entry)
        if m is None:
            errors.append(
                f"`{entry}` is not `name: dtype[dim, ...]` nor `name: float|int|bool = value`"
            )
            continue
        dtype = DTYPES.get(m["dtype"].lower())
        if dtype is None:
            errors.append(f"`{m['dtype']}` is not a dtype (use one of float32, float16, bf16, ...)")
            continue
        dims = tuple(d.strip() for d in m["dims"].split(",") if d.strip())
        bad = [d for d in dims if not (d.isdigit() or d in constants)]
        if bad:
            errors.append(
                f"size {', '.join(bad)} of `{m['name']}` is not an integer or a "
                "module-level constant; fill in the sizes"
            )
            continue
        specs[m["name"]] = TensorSpec(dtype, dims, "annotation")
    return specs, errors


def _scalar_problem(kind: str, value: str, constants: set[str]) -> str | None:
    """Why `value` is not a `kind` the problem can pass, or None when it is."""
    if value == "?":
        return f"fill in the {kind} value"
    if value in constants:
        return None
    if kind == "bool":
        return None if value in ("True", "False") else "a bool is True or False"
    if kind == "int":
        return None if _INT.match(value) else f"`{value}` is not an integer"
    try:
        number = float(value)
    except ValueError:
        return f"`{value}` is not a number"
    return None if math.isfinite(number) else f"`{value}` is not a finite number"


def _expression_problem(expr: str, what: str, example: str) -> str | None:
    """Why `expr` cannot be `what` (not a Python expression), or None when it can."""
    if expr in ("", "?"):
        return f"fill in {what} (e.g. `{example}`)"
    try:
        ast.parse(expr, mode="eval")
    except SyntaxError:
        return f"`{expr}` is not a Python expression"
    return None


def _split_entries(body: str) -> list[str]:
    """Split on commas outside brackets and parentheses."""
    out: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in body:
        if ch in "[({":
            depth += 1
        elif ch in "])}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def comment_block_above(lines: list[str], line: int) -> range:
    """The comment and decorator lines right above `line` (an annotation's place)."""
    start = line
    while start > 0 and lines[start - 1].lstrip().startswith(("#", "@")):
        start -= 1
    return range(start, line)


def collect(
    doc: ParsedDocument, target_line: int, scope_line: int | None, constants: set[str]
) -> Annotations:
    """Annotations that apply to a target on `target_line` in a function at `scope_line`."""
    lines = doc.lines
    candidates: list[int] = []
    if scope_line is not None:
        candidates += list(comment_block_above(lines, scope_line))
        candidates += list(range(scope_line, target_line))
    candidates += [i for i in comment_block_above(lines, target_line) if i not in candidates]
    specs: dict[str, InputSpec] = {}
    errors: list[str] = []
    nearest = None
    init: InitSpec | None = None
    reference: ReferenceSpec | None = None
    for i in sorted(set(candidates)):  # nearer lines come later and override
        m = _LINE.match(lines[i])
        if m is None:
            continue
        found, errs = parse_line(m["body"], constants)
        for name, spec in found.items():
            if isinstance(spec, InitSpec):
                init = spec
            elif isinstance(spec, ReferenceSpec):
                reference = spec
            else:
                specs[name] = spec
        errors += [f"line {i + 1}: {e}" for e in errs]
        nearest = i
    return Annotations(specs, errors, nearest, init, reference)


# Parameter names that are scalars wherever they appear (a quick fix's first
# guess when the signature has no type annotation; the user reviews the line).
_SCALAR_NAMES = {"eps": "float", "epsilon": "float", "causal": "bool", "is_causal": "bool"}
_SCALAR_PREFIXES = (
    ("is_", "bool"),
    ("use_", "bool"),
    ("has_", "bool"),
    ("num_", "int"),
    ("n_", "int"),
)


def scalar_kind(name: str, annotation: str | None) -> str | None:
    """ "float", "int" or "bool" when a parameter is a scalar (its type annotation,
    else its name), None for a tensor."""
    if annotation is not None:
        plain = annotation.strip()
        return plain if plain in SCALAR_KINDS else None
    if name in _SCALAR_NAMES:
        return _SCALAR_NAMES[name]
    return next((kind for prefix, kind in _SCALAR_PREFIXES if name.startswith(prefix)), None)


def template(names: list[str], indent: str, annotations: dict[str, str] | None = None) -> str:
    """The annotation a quick fix inserts; `?` marks the sizes and values to fill in.
    `annotations`: the parameters' type annotations, as written in the signature."""
    entries = []
    for name in names:
        kind = scalar_kind(name, (annotations or {}).get(name))
        entries.append(f"{name}: {kind} = ?" if kind else f"{name}: float32[?, ?]")
    return f"{indent}{PREFIX} {', '.join(entries)}\n"


def value_expr(spec: InputSpec) -> str:
    """Python source for one of get_inputs()'s values."""
    if isinstance(spec, ScalarSpec):
        if spec.kind == "float" and not spec.value.isidentifier():
            return repr(float(spec.value))
        return spec.value
    return tensor_expr(spec)


def tensor_expr(spec: TensorSpec) -> str:
    """Python source that makes a random input of this spec (inside the problem file)."""
    shape = "(" + ", ".join(spec.dims) + ("," if len(spec.dims) == 1 else "") + ")"
    if spec.dtype in ("float32", "float16", "bfloat16", "float64"):
        return f"torch.randn({shape}, dtype=torch.{spec.dtype})"
    if spec.dtype == "bool":
        return f"torch.rand({shape}) > 0.5"
    return f"torch.randint(0, 16, {shape}, dtype=torch.{spec.dtype})"
