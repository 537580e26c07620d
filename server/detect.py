"""What in a Python file can be optimised: Triton kernels, their launch sites,
PyTorch op calls and `nn.Module.forward` bodies (tree-sitter, no execution).

A `Target` is one optimisable thing with byte ranges into the document; the
problem builder (`problem.py`) turns it into a KernelBench problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict, TypeVar

from tree_sitter import Node

from . import pysource
from .documents import ParsedDocument
from .pysource import enclosing_class, enclosing_function, field_of, import_aliases, text_of
from .torch_ops import torch_op_name

TRITON_DECORATORS = ("jit", "autotune", "heuristics")


@dataclass(frozen=True)
class Target:
    kind: str  # "op" | "expression" | "forward" | "triton_kernel"
    name: str  # what the user sees: "torch.softmax", "Model.forward", "add_kernel"
    start_byte: int  # the code the target covers (call, expression or definition)
    end_byte: int
    scope_start: int = -1  # enclosing function definition, -1 at module level
    scope_end: int = -1
    class_name: str | None = None  # the class of a method target or scope
    launcher: tuple[int, int] | None = None  # triton: the launcher function's def range


@dataclass
class KernelInfo:
    name: str
    def_start: int  # the decorated definition (decorators included)
    def_end: int
    name_start: int
    launch_sites: list[tuple[int, int]] = field(default_factory=list)
    launchers: list[tuple[int, int]] = field(default_factory=list)  # function def ranges


def _decorator_name(dec: Node) -> str | None:
    expr = dec.named_children[0] if dec.named_children else None
    if expr is not None and expr.type == "call":
        expr = expr.child_by_field_name("function")
    return pysource.dotted(expr)


def _is_triton_decorator(name: str | None, aliases: dict[str, str]) -> bool:
    if not name:
        return False
    resolved = pysource.resolve(name, aliases)
    return resolved.startswith("triton.") and resolved.rsplit(".", 1)[1] in TRITON_DECORATORS


_Scan = TypeVar("_Scan")


def _memo(fn: Callable[[ParsedDocument], _Scan]) -> Callable[[ParsedDocument], _Scan]:
    """Cache a whole-document scan until the document's text changes."""

    def wrapper(doc: ParsedDocument) -> _Scan:
        if fn.__name__ not in doc.cache:
            doc.cache[fn.__name__] = fn(doc)
        return doc.cache[fn.__name__]

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


@_memo
def find_kernels(doc: ParsedDocument) -> list[KernelInfo]:
    root = doc.tree.root_node
    aliases = import_aliases(root)
    kernels: dict[str, KernelInfo] = {}
    defs: dict[str, Node] = {}
    for stmt in root.named_children:
        if stmt.type == "decorated_definition":
            fn = stmt.child_by_field_name("definition")
            decs = [c for c in stmt.named_children if c.type == "decorator"]
            if fn is not None and fn.type == "function_definition":
                name_node = field_of(fn, "name")
                if any(_is_triton_decorator(_decorator_name(d), aliases) for d in decs):
                    kernels[text_of(name_node)] = KernelInfo(
                        text_of(name_node),
                        stmt.start_byte,
                        stmt.end_byte,
                        name_node.start_byte,
                    )
                else:
                    defs[text_of(name_node)] = stmt
        elif stmt.type == "function_definition":
            defs[text_of(field_of(stmt, "name"))] = stmt
        elif stmt.type == "expression_statement" and stmt.named_children[0].type == "assignment":
            # `kernel = triton.jit(_kernel_impl)`
            asg = stmt.named_children[0]
            left, right = asg.child_by_field_name("left"), asg.child_by_field_name("right")
            if (
                left is not None
                and left.type == "identifier"
                and right is not None
                and right.type == "call"
                and _is_triton_decorator(
                    pysource.dotted(right.child_by_field_name("function")), aliases
                )
            ):
                args = right.child_by_field_name("arguments")
                inner = args.named_children[0] if args and args.named_children else None
                target = defs.get(text_of(inner)) if inner is not None else None
                start, end = (
                    (target.start_byte, target.end_byte)
                    if target
                    else (stmt.start_byte, stmt.end_byte)
                )
                kernels[text_of(left)] = KernelInfo(text_of(left), start, end, left.start_byte)
    if not kernels:
        return []
    handles = _kernel_handles(root, kernels)
    for node in pysource.walk(root):
        if node.type != "call":
            continue
        fn = node.child_by_field_name("function")
        if fn is None or fn.type != "subscript":
            continue
        value = fn.child_by_field_name("value")
        if value is None or value.type != "identifier":
            continue
        scope = enclosing_function(node)
        where = (scope.start_byte, scope.end_byte) if scope is not None else None
        info = kernels.get(text_of(value)) or handles.get((where, text_of(value)))
        if info is None:
            continue
        info.launch_sites.append((node.start_byte, node.end_byte))
        if scope is not None:
            outer = (
                scope.parent
                if scope.parent and scope.parent.type == "decorated_definition"
                else scope
            )
            rng = (outer.start_byte, outer.end_byte)
            if rng not in info.launchers and not any(
                k.def_start == rng[0] for k in kernels.values()
            ):
                info.launchers.append(rng)
    return list(kernels.values())


def _kernel_handles(
    root: Node, kernels: dict[str, KernelInfo]
) -> dict[tuple[tuple[int, int] | None, str], KernelInfo]:
    """Local names a function binds to a kernel, (its def range, name) -> the kernel:
    `k = softmax_kernel` and `k = softmax_kernel.warmup(..., grid=(1,))` (Triton's
    fused-softmax tutorial), so that `k[(n, 1, 1)](...)` is a launch of it."""
    handles: dict[tuple[tuple[int, int] | None, str], KernelInfo] = {}
    for node in pysource.walk(root):
        if node.type != "assignment":
            continue
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or left.type != "identifier" or right is None:
            continue
        source = right
        if right.type == "call":
            called = right.child_by_field_name("function")
            if called is None or called.type != "attribute":
                continue
            attribute = called.child_by_field_name("attribute")
            if attribute is None or text_of(attribute) != "warmup":
                continue
            source = called.child_by_field_name("object") or right
        if source.type != "identifier" or text_of(source) not in kernels:
            continue
        scope = enclosing_function(node)
        where = (scope.start_byte, scope.end_byte) if scope is not None else None
        handles[(where, text_of(left))] = kernels[text_of(source)]
    return handles


def _is_module_class(cls: Node) -> bool:
    supers = cls.child_by_field_name("superclasses")
    return supers is not None and any(
        (pysource.dotted(s) or "").endswith("Module") for s in supers.named_children
    )


@_memo
def find_forwards(doc: ParsedDocument) -> list[Target]:
    """`forward` methods of top-level nn.Module classes (no walk of function bodies)."""
    out = []
    for stmt in doc.tree.root_node.named_children:
        node = (
            stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
        )
        if node is None or node.type != "class_definition" or not _is_module_class(node):
            continue
        body = node.child_by_field_name("body")
        for item in body.named_children if body else []:
            fn = (
                item.child_by_field_name("definition")
                if item.type == "decorated_definition"
                else item
            )
            if (
                fn is not None
                and fn.type == "function_definition"
                and text_of(field_of(fn, "name")) == "forward"
            ):
                cls = text_of(field_of(node, "name"))
                out.append(
                    Target(
                        "forward",
                        f"{cls}.forward",
                        fn.start_byte,
                        fn.end_byte,
                        fn.start_byte,
                        fn.end_byte,
                        cls,
                    )
                )
    return out


class _Scope(TypedDict, total=False):
    """A target's enclosing function, as `Target` keywords; empty at module level."""

    scope_start: int
    scope_end: int
    class_name: str | None


def _scope_fields(node: Node) -> _Scope:
    fn = enclosing_function(node)
    if fn is None:
        return {}
    cls = enclosing_class(fn)
    return {
        "scope_start": fn.start_byte,
        "scope_end": fn.end_byte,
        "class_name": text_of(field_of(cls, "name")) if cls else None,
    }


@_memo
def find_ops(doc: ParsedDocument) -> list[Target]:
    """Every PyTorch op call outside Triton kernels, in document order."""
    root = doc.tree.root_node
    aliases = import_aliases(root)
    kernel_ranges = [(k.def_start, k.def_end) for k in find_kernels(doc)]
    out = []
    for node in pysource.walk(root):
        if node.type != "call":
            continue
        name = torch_op_name(node, aliases)
        if name is None or any(s <= node.start_byte < e for s, e in kernel_ranges):
            continue
        out.append(Target("op", name, node.start_byte, node.end_byte, **_scope_fields(node)))
    return out


def target_at(doc: ParsedDocument, start: int, end: int) -> Target | None:
    """The target a cursor (start == end) or a selection designates."""
    root = doc.tree.root_node
    aliases = import_aliases(root)
    kernels = find_kernels(doc)
    for k in kernels:
        if k.def_start <= start <= k.def_end:
            return _kernel_target(k)
        for s, e in k.launch_sites:
            if s <= start <= e:
                return _kernel_target(k)
    at = root.descendant_for_byte_range(start, start)
    if at is not None and at.type == "identifier":
        # the kernel's name anywhere: `softmax_kernel.warmup(...)`, `grid = ...kernel...`
        named = next((k for k in kernels if k.name == text_of(at)), None)
        if named is not None:
            return _kernel_target(named)
    if end > start:
        sel = _selected_expression(doc, start, end)
        if sel is not None:
            if sel.type == "call" and (op := torch_op_name(sel, aliases)):
                return Target(
                    "op",
                    op,
                    sel.start_byte,
                    sel.end_byte,
                    **_scope_fields(sel),
                )
            if any(
                n.type == "call" and torch_op_name(n, aliases) for n in pysource.walk(sel)
            ) or any(
                # tensor arithmetic selected on purpose (`q * cos + rotate_half(q) * sin`)
                n.type == "binary_operator" and field_of(n, "operator").type in TENSOR_ARITHMETIC
                for n in pysource.walk(sel)
            ):
                text = doc.node_text(sel)
                short = text if len(text) <= 40 else text[:37] + "..."
                return Target(
                    "expression", short, sel.start_byte, sel.end_byte, **_scope_fields(sel)
                )
    node = root.descendant_for_byte_range(start, start)
    while node is not None:
        if node.type == "call" and (op := torch_op_name(node, aliases)):
            return Target(
                "op",
                op,
                node.start_byte,
                node.end_byte,
                **_scope_fields(node),
            )
        if node.type in ("function_definition", "class_definition"):
            break
        node = node.parent
    for fwd in find_forwards(doc):
        if fwd.start_byte <= start <= fwd.end_byte:
            return fwd
    return None


WHOLE_DEFINITIONS = ("forward", "triton_kernel")


def names_target(doc: ParsedDocument, target: Target, at: int) -> bool:
    """Whether the cursor at byte `at` is on the target itself, not merely somewhere
    in its body: an op or expression anywhere in it; a forward or a kernel on its
    decorators and `def` line, a launch site or the kernel's name. A comment, a blank
    line or a plain name inside a several-hundred-line forward designates the forward
    for a code action, but a hover there is not about it."""
    if target.kind not in WHOLE_DEFINITIONS or not target.start_byte <= at <= target.end_byte:
        return True  # a launch site or the kernel's name elsewhere (`target_at`)
    node = doc.tree.root_node.descendant_for_byte_range(target.start_byte, target.start_byte)
    while node is not None and node.start_byte == target.start_byte:
        if node.type in ("function_definition", "decorated_definition"):
            break
        node = node.parent
    if node is not None and node.type == "decorated_definition":
        node = node.child_by_field_name("definition")
    # the header ends at the def's colon (comments after it precede the body's block)
    colon = next((c for c in node.children if c.type == ":"), None) if node else None
    if colon is None or at <= colon.end_byte:
        return True
    if target.kind == "triton_kernel":
        named = doc.tree.root_node.descendant_for_byte_range(at, at)
        return named is not None and named.type == "identifier" and text_of(named) == target.name
    return False


def _kernel_target(k: KernelInfo) -> Target:
    return Target(
        "triton_kernel",
        k.name,
        k.def_start,
        k.def_end,
        launcher=k.launchers[0] if k.launchers else None,
    )


TENSOR_ARITHMETIC = frozenset(["@", "*", "+", "-", "/", "**"])
EXPRESSIONS = frozenset(
    [
        "call",
        "binary_operator",
        "unary_operator",
        "parenthesized_expression",
        "attribute",
        "subscript",
        "conditional_expression",
        "boolean_operator",
        "comparison_operator",
    ]
)


def _selected_expression(doc: ParsedDocument, start: int, end: int) -> Node | None:
    """The smallest expression covering a selection (surrounding whitespace ignored).

    A selected statement `y = <expr>` or `return <expr>` designates its value.
    """
    text = doc.source
    while start < end and text[start : start + 1].isspace():
        start += 1
    while end > start and text[end - 1 : end].isspace():
        end -= 1
    node = doc.tree.root_node.named_descendant_for_byte_range(start, end)
    if node is not None and node.type == "expression_statement" and node.named_children:
        node = node.named_children[0]
    if node is not None and node.type in ("assignment", "augmented_assignment"):
        node = node.child_by_field_name("right")
    elif node is not None and node.type == "return_statement" and node.named_children:
        node = node.named_children[0]
    while node is not None and node.type not in EXPRESSIONS:
        if node.type in ("block", "module", "function_definition", "class_definition"):
            return None
        node = node.parent
    return node
