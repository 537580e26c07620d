"""Shape annotations: the comment that tells kernelwright a selection's inputs.

Syntax (documented in server/README.md):

    # kernelwright: x: float32[4096, 4096], w: bf16[N, K]

Entries are `name: dtype[dim, ...]`, comma-separated; a dim is an integer or a
module-level constant of the file. Several annotation lines add up; the one
nearest the target wins for a name. They are read from the comment block just
above the target's line, from the enclosing function's lines before the target,
and from the comment block just above that function (its decorators included).
"""

from __future__ import annotations

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


@dataclass
class Annotations:
    specs: dict[str, TensorSpec]
    errors: list[str]
    line: int | None  # line of the nearest annotation, if any


def parse_line(body: str, constants: set[str]) -> tuple[dict[str, TensorSpec], list[str]]:
    specs: dict[str, TensorSpec] = {}
    errors: list[str] = []
    for raw in _split_entries(body):
        entry = raw.strip()
        if not entry:
            continue
        m = _ENTRY.match(entry)
        if m is None:
            errors.append(f"`{entry}` is not `name: dtype[dim, ...]`")
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


def _split_entries(body: str) -> list[str]:
    """Split on commas outside brackets."""
    out: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in body:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _comment_block_above(lines: list[str], line: int) -> range:
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
        candidates += list(_comment_block_above(lines, scope_line))
        candidates += list(range(scope_line, target_line))
    candidates += [i for i in _comment_block_above(lines, target_line) if i not in candidates]
    specs: dict[str, TensorSpec] = {}
    errors: list[str] = []
    nearest = None
    for i in sorted(set(candidates)):  # nearer lines come later and override
        m = _LINE.match(lines[i])
        if m is None:
            continue
        found, errs = parse_line(m["body"], constants)
        specs.update(found)
        errors += [f"line {i + 1}: {e}" for e in errs]
        nearest = i
    return Annotations(specs, errors, nearest)


def template(names: list[str], indent: str) -> str:
    """The annotation a quick fix inserts; `?` marks the sizes to fill in."""
    entries = ", ".join(f"{n}: float32[?, ?]" for n in names)
    return f"{indent}{PREFIX} {entries}\n"


def tensor_expr(spec: TensorSpec) -> str:
    """Python source that makes a random input of this spec (inside the problem file)."""
    shape = "(" + ", ".join(spec.dims) + ("," if len(spec.dims) == 1 else "") + ")"
    if spec.dtype in ("float32", "float16", "bfloat16", "float64"):
        return f"torch.randn({shape}, dtype=torch.{spec.dtype})"
    if spec.dtype == "bool":
        return f"torch.rand({shape}) > 0.5"
    return f"torch.randint(0, 16, {shape}, dtype=torch.{spec.dtype})"
