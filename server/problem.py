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

from . import detect, pysource, shapes
from .documents import ParsedDocument
from .pysource import free_names, module_constants
from .shapes import InputSpec, TensorSpec

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
    # A selection inside a `forward` that reads `self` cannot stand alone: the
    # forward's def range, which the editor offers to optimize instead.
    enclosing_forward: tuple[int, int] | None = None
    # A module whose constructor takes arguments no code of the file gives: the
    # quick fix's first guess for `# kernelwright: init: ...` ("?" to fill in).
    init_guess: str | None = None

    @property
    def digest(self) -> str | None:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16] if self.text else None

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.digest}.py"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            assert self.text is not None, "only a problem with a module is written"
            tmp.write_text(self.text)
            tmp.replace(path)
        return path


def signature(doc: ParsedDocument, target: detect.Target) -> str:
    code = " ".join(doc.source[target.start_byte : target.end_byte].decode().split())
    scope = (
        doc.source[target.scope_start : target.scope_start + 200].decode().split("(")[0]
        if target.scope_start >= 0
        else ""
    )
    key = f"{target.kind}|{target.class_name}|{scope}|{code}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


READS_SELF = (
    "the selection reads `self` (the module's weights or submodules); "
    "optimize the whole `forward` instead"
)


def _function(doc: ParsedDocument, start: int) -> Node | None:
    node = doc.tree.root_node.descendant_for_byte_range(start, start)
    while node is not None and node.type not in ("function_definition",):
        if node.type == "decorated_definition":
            return node.child_by_field_name("definition")
        node = node.parent
    return node


def _module_classes_with_forward(doc: ParsedDocument) -> list[str | None]:
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
    from .problem_modules import forward_problem, triton_problem

    if target.kind in ("op", "expression"):
        problem = _expression_problem(doc, target, sig, constants, recorded or {})
    elif target.kind == "forward":
        problem = forward_problem(doc, target, sig, constants, recorded or {})
    else:
        problem = triton_problem(doc, target, sig, constants, recorded or {})
    if problem.text and (
        pysource.inside_inference(root, target.start_byte, target.end_byte) or _calls_eval(doc)
    ):
        problem.text = _declare_inference(problem.text)
    return problem


def _calls_eval(doc: ParsedDocument) -> bool:
    """`pysource.calls_eval` once per document version: it walks the whole file."""
    if "calls_eval" not in doc.cache:
        doc.cache["calls_eval"] = pysource.calls_eval(doc.tree.root_node)
    return doc.cache["calls_eval"]


def _declare_inference(text: str) -> str:
    """`INFERENCE = True` after the problem's docstring: the harness then builds the
    reference in eval mode, as the user's code runs it (harness/loading.py)."""
    end = text.index('"""', 3) + 3 if text.startswith('"""') else 0
    line = (
        "INFERENCE = True  # the code runs under no_grad()/inference_mode() or on an .eval() model"
    )
    return f"{text[:end]}\n{line}\n{text[end:].lstrip(chr(10))}" if end else f"{line}\n{text}"


def _annotations(
    doc: ParsedDocument, target_line: int, scope_fn: Node | None, constants: dict[str, str]
) -> shapes.Annotations:
    """The annotations that apply to a target in `scope_fn` (its decorators' comments too)."""
    scope_line = scope_fn.start_point.row if scope_fn is not None else None
    if (
        scope_fn is not None
        and scope_fn.parent is not None
        and scope_fn.parent.type == "decorated_definition"
    ):
        scope_line = scope_fn.parent.start_point.row
    return shapes.collect(doc, target_line, scope_line, set(constants))


def _resolve_inputs(
    doc: ParsedDocument,
    names: list[str],
    target_line: int,
    scope_fn: Node | None,
    constants: dict[str, str],
    recorded: dict[str, TensorSpec],
    from_file: dict[str, int],
) -> tuple[dict[str, InputSpec | int], list[str], list[str]]:
    """Specs per input name (an int: an index into the file's get_inputs()), the names
    nobody knows, and the annotation errors."""
    ann = _annotations(doc, target_line, scope_fn, constants)
    specs: dict[str, InputSpec | int] = {}
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
            items.append(shapes.value_expr(spec))
            sources[n] = spec.source
    body = "    _file_inputs = _kw_file_get_inputs()\n" if uses_file else ""
    return f"def get_inputs():\n{body}    return [{', '.join(items)}]\n", sources


def _file_get_inputs(doc: ParsedDocument) -> str | None:
    fn = pysource.top_level_function(doc.tree.root_node, "get_inputs")
    if fn is None:
        return None
    return pysource.text_of(fn).replace("def get_inputs(", "def _kw_file_get_inputs(", 1)


def _expression_problem(doc, target, sig, constants, recorded) -> Problem:
    root = doc.tree.root_node
    expr = root.named_descendant_for_byte_range(target.start_byte, target.end_byte)
    names = free_names(expr)
    imports = pysource.imports(root)
    bound_by_import = set().union(*(b for b, _ in imports)) if imports else set()
    if "F" not in bound_by_import:
        imports.append(({"F"}, "import torch.nn.functional as F"))
    scope_fn = _function(doc, target.scope_start) if target.scope_start >= 0 else None
    name_node = scope_fn.child_by_field_name("name") if scope_fn else None
    scope_name = pysource.text_of(name_node) if name_node else None
    prob = Problem(target, sig, None, [], scope_name=scope_name)
    if "self" in names:
        prob.errors.append(READS_SELF)
        if scope_fn is not None and scope_name == "forward":
            outer = scope_fn.parent if scope_fn.parent is not None else scope_fn
            outer = outer if outer.type == "decorated_definition" else scope_fn
            prob.enclosing_forward = (outer.start_byte, outer.end_byte)
        return prob
    # Functions of the file the expression calls come along (with everything
    # they might use: all imports, constants and top-level functions).
    functions = pysource.top_level_functions(root) - {"get_inputs", "get_init_inputs"}
    helpers = [n for n in names if n in functions]
    inputs = [
        n
        for n in names
        if n not in constants
        and n not in _BUILTINS
        and n not in functions
        and not any(n in b for b, _ in imports)
    ]
    from_file: dict[str, int] = {}
    getter = _file_get_inputs(doc)
    if scope_fn is not None and scope_name == "forward" and getter:
        classes = _module_classes_with_forward(doc)
        if target.class_name == "Model" or classes == [target.class_name]:
            _, params = pysource.params(scope_fn)
            params = [p for p in params if p != "self"]
            for n in inputs:
                if n in params and not pysource.assigned_before(scope_fn, n, target.start_byte):
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
    needed_imports = [t for b, t in imports if b & set(names) or b & {"torch"} or helpers]
    uses_getter = any(isinstance(specs[n], int) for n in inputs)
    const_names = names + (list(constants) if uses_getter or helpers else [])
    helper_defs = (
        pysource.definitions(root, {"get_inputs", "get_init_inputs"}, with_classes=False)
        if helpers
        else []
    )
    expr_text = doc.node_text(expr)
    get_inputs, prob.shape_sources = _inputs_source(specs, inputs)
    parts = [
        (
            f'"""kernelwright problem: `{target.name}` from {doc.uri.rsplit("/", 1)[-1]} '
            f'line {doc.position_of_byte(target.start_byte).line + 1}."""\n'
        ),
        _import_block(needed_imports),
        "\n".join(pysource.constants_needed(const_names, constants, root)) + "\n",
        # An int spec indexes the file's get_inputs (from_file), so there is a getter.
        (getter + "\n") if uses_getter and getter is not None else "",
        "\n\n".join(helper_defs),
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
