"""Turn a target into a KernelBench-format problem file (never executing it).

Input shapes come from, in this order: a shape annotation comment
(`shapes.py`), the file's own `get_inputs()` (copied into the problem, which
picks the forward arguments it needs; it runs only in harness workers), and
shapes recorded from a run of the configured command (`recorder.py`).
"""

from __future__ import annotations

import builtins
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from tree_sitter import Node

from . import detect, shapes
from .documents import ParsedDocument
from .shapes import TensorSpec

_BUILTINS = frozenset(dir(builtins))


@dataclass
class Problem:
    target: detect.Target
    signature: str  # stable id of the target's code, for the results index
    text: str | None  # the problem module, None when inputs are unknown
    inputs: list[str]  # forward arguments, in order (the rewired call passes these)
    missing: list[str] = field(default_factory=list)  # inputs with unknown shapes
    errors: list[str] = field(default_factory=list)  # why no problem could be built
    shape_sources: dict[str, str] = field(default_factory=dict)
    scope_name: str | None = None  # function holding the target, for the recorder

    @property
    def digest(self) -> str | None:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16] if self.text else None

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.digest}.py"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_text(self.text)
            tmp.replace(path)
        return path


def module_constants(root: Node) -> dict[str, str]:
    """Top-level `NAME = <expression without calls>` assignments, in order."""
    out: dict[str, str] = {}
    for stmt in root.named_children:
        if stmt.type != "expression_statement" or stmt.named_children[0].type != "assignment":
            continue
        asg = stmt.named_children[0]
        left, right = asg.child_by_field_name("left"), asg.child_by_field_name("right")
        if left is None or right is None or left.type != "identifier":
            continue
        names = [n for n in detect._walk(right) if n.type == "identifier"]
        if any(n.type in ("call", "lambda", "await") for n in detect._walk(right)):
            continue
        if all(n.text.decode() in out for n in names):
            out[left.text.decode()] = stmt.text.decode()
    return out


def _imports(root: Node) -> list[tuple[set[str], str]]:
    out = []
    for stmt in root.named_children:
        if stmt.type in ("import_statement", "import_from_statement"):
            bound = set(detect.import_aliases(_Wrap(stmt)).keys())
            out.append((bound, stmt.text.decode()))
    return out


class _Wrap:  # lets import_aliases read a single statement
    def __init__(self, stmt: Node):
        self.named_children = [stmt]


def free_names(node: Node) -> list[str]:
    """Names an expression reads, in first-appearance order."""
    bound: set[str] = set()
    for n in detect._walk(node):
        if n.type == "lambda":
            params = n.child_by_field_name("parameters")
            bound |= (
                {p.text.decode() for p in detect._walk(params) if p.type == "identifier"}
                if params
                else set()
            )
        if n.type == "for_in_clause":
            left = n.child_by_field_name("left")
            bound |= (
                {p.text.decode() for p in detect._walk(left) if p.type == "identifier"}
                if left
                else set()
            )
    out: list[str] = []
    for n in detect._walk(node):
        if n.type != "identifier":
            continue
        parent = n.parent
        if (
            parent is not None
            and parent.type == "attribute"
            and parent.child_by_field_name("attribute") == n
        ):
            continue
        if (
            parent is not None
            and parent.type == "keyword_argument"
            and parent.child_by_field_name("name") == n
        ):
            continue
        name = n.text.decode()
        if name not in bound and name not in out:
            out.append(name)
    return out


def _closure(names: list[str], constants: dict[str, str], root: Node) -> list[str]:
    """Constant statements the names need, dependencies first."""
    need: set[str] = set()
    todo = [n for n in names if n in constants]
    parser_src = {k: v for k, v in constants.items()}
    while todo:
        name = todo.pop()
        if name in need:
            continue
        need.add(name)
        todo += [w for w in constants if w != name and _mentions(parser_src[name], w)]
    return [constants[n] for n in constants if n in need]


def _mentions(stmt: str, name: str) -> bool:
    import re

    rhs = stmt.split("=", 1)[1] if "=" in stmt else stmt
    return re.search(rf"\b{re.escape(name)}\b", rhs) is not None


def signature(doc: ParsedDocument, target: detect.Target) -> str:
    code = " ".join(doc.source[target.start_byte : target.end_byte].decode().split())
    scope = (
        doc.source[target.scope_start : target.scope_start + 200].decode().split("(")[0]
        if target.scope_start >= 0
        else ""
    )
    key = f"{target.kind}|{target.class_name}|{scope}|{code}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def _params(fn: Node) -> tuple[list[str], list[str]]:
    """(required parameter names, all parameter names) of a function definition."""
    required, everything = [], []
    params = fn.child_by_field_name("parameters")
    for p in params.named_children if params else []:
        if p.type == "identifier":
            required.append(p.text.decode())
            everything.append(p.text.decode())
        elif p.type == "typed_parameter":
            name = p.named_children[0].text.decode()
            required.append(name)
            everything.append(name)
        elif p.type in ("default_parameter", "typed_default_parameter"):
            everything.append(p.child_by_field_name("name").text.decode())
    return required, everything


def _function(doc: ParsedDocument, start: int) -> Node | None:
    node = doc.tree.root_node.descendant_for_byte_range(start, start)
    while node is not None and node.type not in ("function_definition",):
        if node.type == "decorated_definition":
            return node.child_by_field_name("definition")
        node = node.parent
    return node


def _top_level_function(root: Node, name: str) -> Node | None:
    for stmt in root.named_children:
        fn = stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
        if (
            fn is not None
            and fn.type == "function_definition"
            and fn.child_by_field_name("name").text.decode() == name
        ):
            return stmt
    return None


def _assigned_before(fn: Node, name: str, before: int) -> bool:
    body = fn.child_by_field_name("body")
    for n in detect._walk(body):
        if n.start_byte >= before:
            continue
        if n.type in ("assignment", "augmented_assignment", "for_statement"):
            left = n.child_by_field_name("left")
            if left is not None and any(
                i.type == "identifier" and i.text.decode() == name for i in detect._walk(left)
            ):
                return True
    return False


def _module_classes_with_forward(doc: ParsedDocument) -> list[str]:
    return [t.class_name for t in detect.find_forwards(doc)]


HEADER = "import torch\nimport torch.nn as nn\n"


def _import_block(lines: list[str]) -> str:
    seen: list[str] = []
    for line in HEADER.splitlines() + lines:
        if line not in seen:
            seen.append(line)
    return "\n".join(seen) + "\n"


def build(
    doc: ParsedDocument, target: detect.Target, recorded: dict[str, TensorSpec] | None = None
) -> Problem:
    root = doc.tree.root_node
    constants = module_constants(root)
    sig = signature(doc, target)
    if target.kind in ("op", "expression"):
        return _expression_problem(doc, target, sig, constants, recorded or {})
    if target.kind == "forward":
        return _forward_problem(doc, target, sig, constants, recorded or {})
    return _triton_problem(doc, target, sig, constants, recorded or {})


def _resolve_inputs(doc, names, target_line, scope_fn, constants, recorded, from_file):
    """Specs per input name and the names nobody knows."""
    scope_line = scope_fn.start_point.row if scope_fn is not None else None
    if (
        scope_fn is not None
        and scope_fn.parent is not None
        and scope_fn.parent.type == "decorated_definition"
    ):
        scope_line = scope_fn.parent.start_point.row
    ann = shapes.collect(doc, target_line, scope_line, set(constants))
    specs: dict[str, TensorSpec | str] = {}
    for name in names:
        if name in ann.specs:
            specs[name] = ann.specs[name]
        elif name in from_file:
            specs[name] = from_file[name]  # an index into the file's get_inputs()
        elif name in recorded:
            specs[name] = recorded[name]
    missing = [n for n in names if n not in specs]
    return specs, missing, ann.errors


def _inputs_source(specs: dict, order: list[str]) -> tuple[str, dict[str, str]]:
    uses_file = any(isinstance(specs[n], int) for n in order)
    items, sources = [], {}
    for n in order:
        spec = specs[n]
        if isinstance(spec, int):
            items.append(f"_file_inputs[{spec}]")
            sources[n] = "get_inputs"
        else:
            items.append(shapes.tensor_expr(spec))
            sources[n] = spec.source
    body = "    _file_inputs = _kw_file_get_inputs()\n" if uses_file else ""
    return f"def get_inputs():\n{body}    return [{', '.join(items)}]\n", sources


def _file_get_inputs(doc: ParsedDocument) -> str | None:
    fn = _top_level_function(doc.tree.root_node, "get_inputs")
    if fn is None:
        return None
    return fn.text.decode().replace("def get_inputs(", "def _kw_file_get_inputs(", 1)


def _expression_problem(doc, target, sig, constants, recorded) -> Problem:
    root = doc.tree.root_node
    expr = root.named_descendant_for_byte_range(target.start_byte, target.end_byte)
    names = free_names(expr)
    imports = _imports(root)
    bound_by_import = set().union(*(b for b, _ in imports)) if imports else set()
    if "F" not in bound_by_import:
        imports.append(({"F"}, "import torch.nn.functional as F"))
    scope_fn = _function(doc, target.scope_start) if target.scope_start >= 0 else None
    scope_name = scope_fn.child_by_field_name("name").text.decode() if scope_fn else None
    prob = Problem(target, sig, None, [], scope_name=scope_name)
    if "self" in names:
        prob.errors.append("the selection reads `self`; select the whole `forward` instead")
        return prob
    inputs = [
        n
        for n in names
        if n not in constants and n not in _BUILTINS and not any(n in b for b, _ in imports)
    ]
    from_file: dict[str, int] = {}
    getter = _file_get_inputs(doc)
    if scope_fn is not None and scope_name == "forward" and getter:
        classes = _module_classes_with_forward(doc)
        if target.class_name == "Model" or classes == [target.class_name]:
            _, params = _params(scope_fn)
            params = [p for p in params if p != "self"]
            for n in inputs:
                if n in params and not _assigned_before(scope_fn, n, target.start_byte):
                    from_file[n] = params.index(n)
    specs, missing, errors = _resolve_inputs(
        doc,
        inputs,
        doc.position_of_byte(target.start_byte).line,
        scope_fn,
        constants,
        recorded,
        from_file,
    )
    prob.inputs, prob.missing, prob.errors = inputs, missing, errors
    if missing:
        return prob
    needed_imports = [t for b, t in imports if b & set(names) or b & {"torch"}]
    uses_getter = any(isinstance(specs[n], int) for n in inputs)
    const_names = names + (list(constants) if uses_getter else [])
    expr_text = doc.node_text(expr)
    get_inputs, prob.shape_sources = _inputs_source(specs, inputs)
    parts = [
        (
            f'"""kernelwright problem: `{target.name}` from {doc.uri.rsplit("/", 1)[-1]} '
            f'line {doc.position_of_byte(target.start_byte).line + 1}."""\n'
        ),
        _import_block(needed_imports),
        "\n".join(_closure(const_names, constants, root)) + "\n",
        (getter + "\n") if uses_getter else "",
        (
            "class Model(nn.Module):\n    def __init__(self):\n        super().__init__()\n\n"
            f"    def forward(self{''.join(', ' + n for n in inputs)}):\n"
            f"        return ({expr_text})\n"
        ),
        get_inputs,
        "def get_init_inputs():\n    return []\n",
    ]
    prob.text = "\n".join(p for p in parts if p.strip()) + ""
    return prob


def _definitions(root: Node, skip: set[str], with_classes: bool) -> list[str]:
    out = []
    for stmt in root.named_children:
        fn = stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
        if fn is None:
            continue
        if fn.type == "function_definition" or (with_classes and fn.type == "class_definition"):
            if fn.child_by_field_name("name").text.decode() not in skip:
                out.append(stmt.text.decode())
        elif stmt.type == "expression_statement" and "triton.jit(" in stmt.text.decode():
            out.append(stmt.text.decode())
    return out


def _forward_problem(doc, target, sig, constants, recorded) -> Problem:
    root = doc.tree.root_node
    fwd = _function(doc, target.start_byte)
    cls = target.class_name
    prob = Problem(target, sig, None, [], scope_name="forward")
    _, params = _params(fwd)
    inputs = [p for p in params if p != "self"]
    from_file = {}
    getter = _file_get_inputs(doc)
    if getter and (cls == "Model" or _module_classes_with_forward(doc) == [cls]):
        from_file = {n: i for i, n in enumerate(inputs)}
    specs, missing, errors = _resolve_inputs(
        doc, inputs, fwd.start_point.row, fwd, constants, recorded, from_file
    )
    prob.inputs, prob.missing, prob.errors = inputs, missing, errors
    init = _top_level_function(root, "get_init_inputs")
    class_node = next(
        n
        for n in detect._walk(root)
        if n.type == "class_definition" and n.child_by_field_name("name").text.decode() == cls
    )
    init_fn = next(
        (
            c
            for c in detect._walk(class_node)
            if c.type == "function_definition"
            and c.child_by_field_name("name").text.decode() == "__init__"
        ),
        None,
    )
    if init is None and init_fn is not None and len(_params(init_fn)[0]) > 1:
        prob.errors.append(
            f"`{cls}.__init__` takes arguments and the file has no get_init_inputs()"
        )
    if missing or prob.errors:
        return prob
    defs = _definitions(root, {"get_inputs", "get_init_inputs"}, with_classes=True)
    body = "\n\n".join(defs)
    if cls != "Model":
        body = _rename(body, {"Model": "_KwOriginalModel", cls: "Model"})
    get_inputs, prob.shape_sources = _inputs_source(specs, inputs)
    uses_getter = "_kw_file_get_inputs" in get_inputs
    parts = [
        f'"""kernelwright problem: `{cls}.forward` from {doc.uri.rsplit("/", 1)[-1]}."""\n',
        _import_block([t for _, t in _imports(root)]),
        "\n".join(constants.values()) + "\n",
        body + "\n",
        (_file_get_inputs(doc) + "\n") if uses_getter else "",
        get_inputs,
        (init.text.decode() + "\n")
        if init is not None
        else "def get_init_inputs():\n    return []\n",
    ]
    prob.text = "\n\n".join(p.strip("\n") + "\n" for p in parts if p.strip())
    return prob


def _triton_problem(doc, target, sig, constants, recorded) -> Problem:
    root = doc.tree.root_node
    prob = Problem(target, sig, None, [])
    if target.launcher is None:
        prob.errors.append(
            f"no launcher calls `{target.name}[grid](...)`; the launcher is the "
            "reference, so write one first"
        )
        return prob
    launcher = _function(doc, target.launcher[0])
    lname = launcher.child_by_field_name("name").text.decode()
    prob.scope_name = lname
    required, _ = _params(launcher)
    specs, missing, errors = _resolve_inputs(
        doc, required, launcher.start_point.row, launcher, constants, recorded, {}
    )
    prob.inputs, prob.missing, prob.errors = required, missing, errors
    if missing:
        return prob
    defs = _definitions(root, {"get_inputs", "get_init_inputs"}, with_classes=False)
    get_inputs, prob.shape_sources = _inputs_source(specs, required)
    args = ", ".join(required)
    parts = [
        (
            f'"""kernelwright problem: Triton kernel `{target.name}` through its launcher '
            f'`{lname}` from {doc.uri.rsplit("/", 1)[-1]}."""\n'
        ),
        _import_block([t for _, t in _imports(root)]),
        "\n".join(constants.values()) + "\n",
        "\n\n".join(defs) + "\n",
        (
            "class Model(nn.Module):\n    def __init__(self):\n        super().__init__()\n\n"
            f"    def forward(self, {args}):\n        return {lname}({args})\n"
        ),
        get_inputs,
        "def get_init_inputs():\n    return []\n",
    ]
    prob.text = "\n\n".join(p.strip("\n") + "\n" for p in parts if p.strip())
    return prob


def _rename(source: str, mapping: dict[str, str]) -> str:
    """Rename identifiers (not attributes or keyword names) in Python source."""
    from .documents import new_parser

    tree = new_parser().parse(source.encode())
    edits = []
    for n in detect._walk(tree.root_node):
        if n.type == "identifier" and n.text.decode() in mapping:
            parent = n.parent
            if (
                parent is not None
                and parent.type == "attribute"
                and parent.child_by_field_name("attribute") == n
            ):
                continue
            if (
                parent is not None
                and parent.type == "keyword_argument"
                and parent.child_by_field_name("name") == n
            ):
                continue
            edits.append((n.start_byte, n.end_byte, mapping[n.text.decode()]))
    data = source.encode()
    for s, e, new in sorted(edits, reverse=True):
        data = data[:s] + new.encode() + data[e:]
    return data.decode()
