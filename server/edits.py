"""Accepting a candidate inline: insert its kernels and imports, rewire the call.

The candidate module defines kernels and `class ModelNew` (same constructor and
forward as the problem's `Model`). We insert its top-level code (renamed where
it would collide with the user's names), then:

- an op or expression: a generated `kw_<name>(inputs)` that calls a lazily
  built `ModelNew()`, and the expression becomes a call to it;
- a Triton kernel: its launcher's body becomes a call to `kw_<launcher>`;
- a `forward`: the method delegates to `ModelNew.forward` on the same module,
  which is only offered when the candidate uses no attributes the class lacks.

A generated candidate's kernels are built for the shapes it was verified at; its
`kw_accepts(inputs)` says whether a call has them. Where it has one, the applied
code runs the candidate only then and the original PyTorch otherwise (the
expression kept as the fallback, the launcher's or forward's body kept after the
guard), so a caller at another shape gets the original answer, not an error.

Edits are `(start_byte, end_byte, text)` against the current document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kernelwright.harness.messages import ACCEPTS
from tree_sitter import Node

from . import pysource
from .detect import Target
from .documents import ParsedDocument, new_parser
from .problem import Problem
from .pysource import field_of, text_of
from .shapes import comment_block_above
from .torch_ops import torch_op_name


class ApplyError(Exception):
    """The candidate cannot be applied inline; the message says why."""


@dataclass
class Edit:
    start: int
    end: int
    text: str


@dataclass
class CandidateParts:
    imports: list[tuple[set[str], str]]
    body: list[str]
    names: set[str]


def split_candidate(source: str) -> CandidateParts:
    root = new_parser().parse(source.encode()).root_node
    if root.has_error:
        raise ApplyError("the candidate's source does not parse")
    imports, body, names = [], [], set()
    for stmt in root.named_children:
        text = text_of(stmt)
        if stmt.type in ("import_statement", "import_from_statement"):
            if "__future__" not in text:
                imports.append((pysource.bound_by(stmt), text))
            continue
        if stmt.type == "if_statement" and "__name__" in text.split(":", 1)[0]:
            continue
        if stmt.type == "expression_statement" and stmt.named_children[0].type == "string":
            continue  # module docstring
        node = (
            stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
        )
        if node is not None and node.type in ("function_definition", "class_definition"):
            name = text_of(field_of(node, "name"))
            if name in ("get_inputs", "get_init_inputs", "Model"):
                continue
            names.add(name)
        elif stmt.type == "expression_statement" and stmt.named_children[0].type == "assignment":
            left = field_of(stmt.named_children[0], "left")
            names |= {text_of(n) for n in pysource.walk(left) if n.type == "identifier"}
        body.append(text)
    if "ModelNew" not in names:
        raise ApplyError("the candidate defines no ModelNew")
    return CandidateParts(imports, body, names)


def _slug(doc: ParsedDocument, problem: Problem) -> str:
    target = problem.target
    if target.kind == "triton_kernel":
        return problem.scope_name or target.name
    root = doc.tree.root_node
    aliases = pysource.import_aliases(root)
    node = _node_at(doc, target.start_byte, target.end_byte)
    ops = []
    for n in pysource.walk(node):
        name = torch_op_name(n, aliases) if n.type == "call" else None
        if name and name.rsplit(".", 1)[-1] not in ops:
            ops.append(name.rsplit(".", 1)[-1])
    if node.type == "binary_operator" and field_of(node, "operator").type == "@":
        ops.insert(0, "matmul")
    return "_".join(ops[:3]) or "op"


def _node_at(doc: ParsedDocument, start: int, end: int) -> Node:
    """The node a target's range covers. The caller resolved the target against this
    very document version, so a range outside it is a bug, not a user's edit."""
    node = doc.tree.root_node.named_descendant_for_byte_range(start, end)
    if node is None:
        raise ValueError(f"bytes {start}..{end} are outside {doc.uri}")
    return node


def _launcher(target: Target) -> tuple[int, int]:
    """A Triton target's launcher, where the candidate is wired in. Candidates are found
    by the kernel's code alone, so one can outlive the launcher it was searched through."""
    if target.launcher is None:
        raise ApplyError(
            f"no launcher calls `{target.name}[grid](...)`; the candidate replaces the "
            "launcher's body, so write one first"
        )
    return target.launcher


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    i = 2
    while f"{name}_{i}" in taken:
        i += 1
    return f"{name}_{i}"


def _statement_start(doc: ParsedDocument, byte: int) -> int:
    """The top-level statement holding a byte."""
    for stmt in doc.tree.root_node.named_children:
        if stmt.start_byte <= byte < stmt.end_byte:
            return stmt.start_byte
    return len(doc.source)


def build_edits(
    doc: ParsedDocument, problem: Problem, candidate_source: str, rank: int, title: str
) -> list[Edit]:
    target = problem.target
    root = doc.tree.root_node
    parts = split_candidate(candidate_source)
    taken = pysource.top_level_names(root)
    slug = _slug(doc, problem)
    model_name = _unique(f"_KwModel_{slug}", taken)
    renames = {"ModelNew": model_name}
    for name in sorted(parts.names - {"ModelNew"}):
        if name in taken:
            renames[name] = _unique(f"{name}_kw", taken | parts.names)
    body = pysource.rename("\n\n\n".join(parts.body), renames)
    user_aliases = pysource.import_aliases(root)
    new_imports = [text for bound, text in parts.imports if not bound <= set(user_aliases)]

    edits: list[Edit] = []
    header = f"# kernelwright: candidate #{rank} ({title.split(' — ', 1)[-1]})"
    accepts = renames.get(ACCEPTS, ACCEPTS) if ACCEPTS in parts.names else None
    if target.kind == "forward":
        generated = f"{header}\n{body}\n"
        edits += _rewire_forward(doc, problem, parts, candidate_source, model_name, accepts)
    else:
        fn = _unique(f"kw_{slug}", taken | set(renames.values()) | parts.names)
        args = ", ".join(problem.inputs)
        generated = (
            f"{header}\n{body}\n\n\n_{fn}_impl = None\n\n\n"
            f"def {fn}({args}):\n"
            f'    """Runs kernelwright candidate #{rank} in place of `{target.name}`."""\n'
            f"    global _{fn}_impl\n"
            f"    if _{fn}_impl is None:\n"
            f"        _{fn}_impl = {model_name}()\n"
            f"    return _{fn}_impl({args})\n"
        )
        if target.kind == "triton_kernel":
            edits.append(_rewire_launcher(doc, _launcher(target), f"{fn}({args})", accepts, args))
        elif accepts is not None:
            original = doc.source[target.start_byte : target.end_byte].decode()
            edits.append(
                Edit(
                    target.start_byte,
                    target.end_byte,
                    f"({fn}({args}) if {accepts}({args}) else {original})",
                )
            )
        else:
            edits.append(Edit(target.start_byte, target.end_byte, f"{fn}({args})"))

    anchor = _statement_start(
        doc, target.start_byte if target.kind != "triton_kernel" else _launcher(target)[0]
    )
    last_import = max(
        (
            s.end_byte
            for s in root.named_children
            if s.type in ("import_statement", "import_from_statement") and s.end_byte <= anchor
        ),
        default=None,
    )
    block = f"{generated}\n\n"
    if new_imports:
        imports_text = "\n".join(new_imports) + "\n"
        if last_import is not None:
            edits.append(Edit(last_import, last_import, "\n" + imports_text.rstrip("\n")))
        else:
            block = imports_text + "\n\n" + block
    edits.append(Edit(anchor, anchor, block))
    return sorted(edits, key=lambda e: (e.start, e.end))


def _rewire_launcher(
    doc: ParsedDocument,
    launcher_range: tuple[int, int],
    call: str,
    accepts: str | None = None,
    args: str = "",
) -> Edit:
    launcher = _node_at(doc, *launcher_range)
    fn = field_of(launcher, "definition") if launcher.type == "decorated_definition" else launcher
    body = field_of(fn, "body")
    indent = " " * body.start_point.column
    if accepts is not None:  # the launcher's own body stays, for other shapes
        guard = f"if {accepts}({args}):\n{indent}    return {call}\n{indent}"
        return Edit(body.start_byte, body.start_byte, guard)
    return Edit(body.start_byte, body.end_byte, f"return {call}".replace("\n", "\n" + indent))


def _self_attrs(node: Node) -> set[str]:
    out = set()
    for n in pysource.walk(node):
        if n.type == "attribute":
            obj = n.child_by_field_name("object")
            if obj is not None and obj.type == "identifier" and text_of(obj) == "self":
                out.add(text_of(field_of(n, "attribute")))
    return out


def _rewire_forward(
    doc: ParsedDocument,
    problem: Problem,
    parts: CandidateParts,
    candidate_source: str,
    model_name: str,
    accepts: str | None = None,
) -> list[Edit]:
    """The forward's body calling the candidate's forward with the user's module as
    `self`, and the candidate's own helper methods (a multi-kernel program's
    `_stage0`, ...) bound into the user's class, where that forward looks them up."""
    target = problem.target
    node: Node | None = _node_at(doc, target.start_byte, target.end_byte)
    while node is not None and node.type != "function_definition":
        node = node.parent
    # detect.find_forwards found a method of a top-level class at this range
    if node is None:
        raise ValueError(f"no function definition holds bytes {target.start_byte}.. of {doc.uri}")
    fwd = node
    cls = pysource.enclosing_class(fwd)
    if cls is None:
        raise ValueError(f"the forward at byte {fwd.start_byte} of {doc.uri} is in no class")
    cand_root = new_parser().parse(candidate_source.encode()).root_node
    cand_cls = pysource.class_named(cand_root, "ModelNew")
    assert cand_cls is not None  # split_candidate refused a candidate without ModelNew
    used = _self_attrs(field_of(cand_cls, "body"))
    init_lines = [
        n
        for n in pysource.walk(cand_cls)
        if n.type == "function_definition" and text_of(field_of(n, "name")) == "__init__"
    ]
    used -= {"training"}
    have = _self_attrs(cls) | {
        text_of(field_of(n, "name")) for n in pysource.walk(cls) if n.type == "function_definition"
    }
    helpers = {
        text_of(field_of(n, "name"))
        for n in field_of(cand_cls, "body").named_children
        if n.type == "function_definition"
    } - {"__init__", "forward"}
    borrowed = sorted(a for a in used & helpers if a not in have)
    missing = sorted(a for a in used if a not in have and a not in helpers)
    if missing or not init_lines:
        raise ApplyError(
            f"candidate keeps state {', '.join(missing) or '(no __init__)'} that "
            f"{problem.target.class_name} lacks; apply it by hand from the candidates list"
        )
    _, params = pysource.params(fwd)
    if any(
        p.type in ("list_splat_pattern", "dictionary_splat_pattern")
        for p in field_of(fwd, "parameters").named_children
    ):
        raise ApplyError("forward takes *args/**kwargs; apply the candidate by hand")
    body = field_of(fwd, "body")
    call = f"return {model_name}.forward({', '.join(params)})"
    if accepts is not None:  # the forward's own body stays, for other shapes
        indent = " " * body.start_point.column
        inputs = ", ".join(p for p in params if p != "self")
        guard = f"if {accepts}({inputs}):\n{indent}    {call}\n{indent}"
        edits = [Edit(body.start_byte, body.start_byte, guard)]
    else:
        edits = [Edit(body.start_byte, body.end_byte, call)]
    if borrowed:
        outer = (
            fwd.parent
            if fwd.parent is not None and fwd.parent.type == "decorated_definition"
            else fwd
        )
        # above the forward's comments, which may hold its annotation
        line = comment_block_above(doc.lines, outer.start_point.row).start
        indent = " " * outer.start_point.column
        bound = "".join(f"{indent}{name} = {model_name}.{name}\n" for name in borrowed)
        edits.insert(0, Edit(doc.byte_of(line, 0), doc.byte_of(line, 0), bound))
    return edits


def indent_of(line: str) -> str:
    match = re.match(r"\s*", line)
    assert match is not None  # `\s*` matches (perhaps nothing) at the start of any string
    return match.group(0)
