"""Problems whose reference is a whole unit of the file: an `nn.Module` (its
`forward` is the target) or a Triton kernel (its launcher is the reference)."""

from __future__ import annotations

import ast

from tree_sitter import Node

from . import pysource, shapes, torch_twin
from .detect import Target
from .documents import ParsedDocument
from .module_context import module_context
from .problem import (
    _BUILTINS,
    Problem,
    _annotations,
    _file_get_inputs,
    _function,
    _import_block,
    _inputs_source,
    _module_classes_with_forward,
    _resolve_inputs,
)
from .pysource import field_of, text_of
from .shapes import TensorSpec


def _defined_function(doc: ParsedDocument, start: int) -> Node:
    """The function definition a target's range starts in: the forward itself, or
    the launcher. Detection found it there, so its absence is a stale target."""
    fn = _function(doc, start)
    if fn is None:
        raise ValueError(f"no function definition at byte {start} of {doc.uri}")
    return fn


def _init_list(expr: str) -> str:
    """get_init_inputs()'s list for an `init:` annotation: a tuple is several
    positional arguments, anything else one."""
    tree = ast.parse(expr, mode="eval")
    return f"list({expr})" if isinstance(tree.body, ast.Tuple) else f"[{expr}]"


def _init_guess(root: Node, init_fn: Node) -> str:
    """The quick fix's `init:` value: `GPTConfig()` where the constructor takes one
    config and the file defines one class named *Config (nanoGPT's shape), else `?`."""
    required = [p for p in pysource.params(init_fn)[0] if p != "self"]
    configs = []
    for statement in root.named_children:
        node = (
            field_of(statement, "definition")
            if statement.type == "decorated_definition"
            else statement
        )
        if node.type == "class_definition" and text_of(field_of(node, "name")).endswith("Config"):
            configs.append(text_of(field_of(node, "name")))
    if len(required) == 1 and len(configs) == 1:
        return f"{configs[0]}()"
    return "?"


def forward_problem(
    doc: ParsedDocument,
    target: Target,
    sig: str,
    constants: dict[str, str],
    recorded: dict[str, TensorSpec],
) -> Problem:
    root = doc.tree.root_node
    fwd = _defined_function(doc, target.start_byte)
    cls = target.class_name
    if cls is None:  # detect.find_forwards names the class of every forward it finds
        raise ValueError(f"the forward target at byte {target.start_byte} names no class")
    prob = Problem(target, sig, None, [], scope_name="forward")
    _, params = pysource.params(fwd)
    inputs = [p for p in params if p != "self"]
    from_file = {}
    getter = _file_get_inputs(doc)
    if getter and (cls == "Model" or _module_classes_with_forward(doc) == [cls]):
        from_file = {n: i for i, n in enumerate(inputs)}
    specs, missing, errors = _resolve_inputs(
        doc, inputs, fwd.start_point.row, fwd, constants, recorded, from_file
    )
    prob.inputs, prob.missing, prob.errors = inputs, missing, errors
    init = pysource.top_level_function(root, "get_init_inputs")
    class_node = pysource.class_named(root, cls)
    if class_node is None:  # detect.find_forwards found the forward in this class
        raise ValueError(f"no class {cls} in {doc.uri}")
    init_fn = next(
        (
            c
            for c in pysource.walk(class_node)
            if c.type == "function_definition" and text_of(field_of(c, "name")) == "__init__"
        ),
        None,
    )
    annotated = shapes.collect(doc, fwd.start_point.row, class_node.start_point.row, set(constants))
    init_source = text_of(init) + "\n" if init is not None else None
    if annotated.init is not None:  # what the user wrote wins over the file's getter
        init_source = f"def get_init_inputs():\n    return {_init_list(annotated.init.expr)}\n"
    elif init is None and init_fn is not None and len(pysource.params(init_fn)[0]) > 1:
        prob.init_guess = _init_guess(root, init_fn)
        prob.errors.append(
            f"`{cls}.__init__` takes arguments: write them as `# kernelwright: init: ...` "
            "above the class (the quick fix starts it), or give the file a get_init_inputs()"
        )
    if missing or prob.errors:
        return prob
    defs = pysource.definitions(root, {"get_inputs", "get_init_inputs"}, with_classes=True)
    body = "\n\n".join(defs)
    if cls != "Model":
        body = pysource.rename(body, {"Model": "_KwOriginalModel", cls: "Model"})
    get_inputs, prob.shape_sources = _inputs_source(specs, inputs)
    file_getter = getter if "_kw_file_get_inputs" in get_inputs else None
    parts = [
        f'"""kernelwright problem: `{cls}.forward` from {doc.uri.rsplit("/", 1)[-1]}."""\n',
        _import_block([t for _, t in pysource.imports(root)]),
        "\n".join(constants.values()) + "\n",
        body + "\n",
        (file_getter + "\n") if file_getter is not None else "",
        get_inputs,
        init_source or "def get_init_inputs():\n    return []\n",
    ]
    prob.text = "\n\n".join(p.strip("\n") + "\n" for p in parts if p.strip())
    return prob


def triton_problem(
    doc: ParsedDocument,
    target: Target,
    sig: str,
    constants: dict[str, str],
    recorded: dict[str, TensorSpec],
) -> Problem:
    root = doc.tree.root_node
    prob = Problem(target, sig, None, [])
    if target.launcher is None:
        prob.errors.append(
            f"no launcher calls `{target.name}[grid](...)`; the launcher is the "
            "reference, so write one first"
        )
        return prob
    launcher = _defined_function(doc, target.launcher[0])
    lname = text_of(field_of(launcher, "name"))
    prob.scope_name = lname
    required, _ = pysource.params(launcher)
    specs, missing, errors = _resolve_inputs(
        doc, required, launcher.start_point.row, launcher, constants, recorded, {}
    )
    prob.inputs, prob.missing, prob.errors = required, missing, errors
    if missing:
        return prob
    get_inputs, prob.shape_sources = _inputs_source(specs, required)
    args = ", ".join(required)
    imports = pysource.imports(root)
    have = {name for bound, _ in imports for name in bound} | set(constants) | _BUILTINS
    have |= {"Model", "get_inputs", "get_init_inputs"}  # the problem's own
    # The launcher and what it reaches at module level, transitively and in file order:
    # the kernel, helpers, DEVICE, dtype dicts, autotune configs built by calls,
    # conditional imports (server/module_context.py).
    twin = _torch_twin(doc, launcher, lname, required, constants, have)
    context = module_context(root, [launcher], have, twin.reads if twin else ())
    parts = [
        (
            f'"""kernelwright problem: Triton kernel `{target.name}` through its launcher '
            f'`{lname}` from {doc.uri.rsplit("/", 1)[-1]}."""\n'
        ),
        _import_block([t for _, t in imports]),
        "\n".join(constants.values()) + "\n",
        "\n\n\n".join(context) + "\n",
        (
            "class Model(nn.Module):\n    def __init__(self):\n        super().__init__()\n\n"
            f"    def forward(self, {args}):\n        return {lname}({args})\n"
        ),
        _model_torch(twin, lname, args, required, doc) if twin else "",
        get_inputs,
        "def get_init_inputs():\n    return []\n",
    ]
    prob.text = "\n\n".join(p.strip("\n") + "\n" for p in parts if p.strip())
    return prob


def _torch_twin(
    doc: ParsedDocument,
    launcher: Node,
    lname: str,
    params: list[str],
    constants: dict[str, str],
    have: set[str],
) -> torch_twin.Twin | None:
    """The launcher's computation in PyTorch: annotated, or from a comparison in the file."""
    annotated = _annotations(doc, launcher.start_point.row, launcher, constants)
    if annotated.reference is not None:
        return torch_twin.from_annotation(annotated.reference.expr, params)
    module_names = have | pysource.top_level_names(doc.tree.root_node)
    return torch_twin.find(doc.tree.root_node, lname, params, module_names)


def _model_torch(
    twin: torch_twin.Twin, lname: str, args: str, params: list[str], doc: ParsedDocument
) -> str:
    """`ModelTorch`: the search plans its own kernels from it (agent/search.py); every
    candidate is still verified against `Model`."""
    file = doc.uri.rsplit("/", 1)[-1]
    return (
        "class ModelTorch(nn.Module):\n"
        f'    """What `{lname}` computes, in PyTorch ({twin.where} of {file}): kernels are\n'
        '    planned from it; every candidate is verified against Model, the Triton kernel."""\n\n'
        "    def __init__(self):\n        super().__init__()\n\n"
        f"    def forward(self, {args}):\n" + twin.forward(params)
    )
