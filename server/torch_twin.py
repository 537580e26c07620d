"""What a Triton launcher computes, in PyTorch, found in the user's own file (never run here).

A Triton kernel's graph cannot be captured without running it, so the generator has
nothing to plan from; only the kernel's own tunables are searched
(agent/generator/tunables.py). But kernel files nearly always say what the kernel
computes, in PyTorch, where they check it: Triton's tutorials compare
`softmax(x)` with `torch.softmax(x, axis=1)` through `torch.allclose`, and print
`(layer_norm(x, w, b, eps) - y).abs().max()` against `F.layer_norm`. The same can be
annotated (`# kernelwright: reference: torch.softmax(x, dim=-1)`).

The problem then carries that computation as `ModelTorch` (server/problem_modules.py):
the search captures it and plans its own kernels from it (agent/search.py), and
every candidate is still verified against `Model`, the user's kernel. A PyTorch
expression that does not compute what the kernel does costs candidates marked
`wrong`, never a wrong verdict.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from tree_sitter import Node

from .pysource import free_names, text_of, walk

# Calls whose first two arguments are a result and what it should equal.
_COMPARISONS = {"allclose", "assert_close", "isclose", "assert_allclose", "equal"}


@dataclass(frozen=True)
class Twin:
    expr: str  # PyTorch, over `binds`' names and the module's
    binds: tuple[tuple[str, str], ...]  # (name the expression reads, launcher parameter)
    where: str  # for the problem's docstring: "the comparison on line 80"
    reads: tuple[str, ...]  # the names the expression reads (its module context)

    def forward(self, params: list[str]) -> str:
        """`ModelTorch.forward`'s body: the launcher's parameters under the names the
        expression reads (one tuple assignment: `y, x = x, y` swaps), then the expression."""
        renamed = [(name, param) for name, param in self.binds if name != param]
        lines = []
        if renamed:
            lines.append(
                ", ".join(n for n, _ in renamed) + " = " + ", ".join(p for _, p in renamed)
            )
        lines.append(f"return {self.expr}")
        return "".join(f"        {line}\n" for line in lines)


def from_annotation(expr: str, params: list[str]) -> Twin:
    reads = {n.id for n in ast.walk(ast.parse(expr, mode="eval")) if isinstance(n, ast.Name)}
    return Twin(
        expr, tuple((p, p) for p in params), "the `reference:` annotation", tuple(sorted(reads))
    )


def find(root: Node, launcher: str, params: list[str], module_names: set[str]) -> Twin | None:
    """The first comparison in the file of a call to `launcher` with a PyTorch expression
    that reads nothing but that call's arguments and module-level names."""
    for call in walk(root):
        if call.type != "call" or _callee(call) not in _COMPARISONS | {"abs"}:
            continue
        pair = _compared(call)
        if pair is None:
            continue
        for mine, theirs in (pair, pair[::-1]):
            twin = _twin(mine, theirs, launcher, params, module_names)
            if twin is not None:
                return twin
    return None


def _text(node: Node | None) -> str:
    return text_of(node) if node is not None else ""


def _callee(call: Node) -> str:
    fn = call.child_by_field_name("function")
    if fn is None:
        return ""
    return text_of(fn).rsplit(".", 1)[-1]


def _compared(call: Node) -> tuple[Node, Node] | None:
    """The two sides: `allclose(a, b)`, or `(a - b)` in `(a - b).abs()` / `torch.abs(a - b)`."""
    args = call.child_by_field_name("arguments")
    if _callee(call) == "abs":
        fn = call.child_by_field_name("function")
        inner = (
            fn.child_by_field_name("object")  # (a - b).abs()
            if fn is not None
            and fn.type == "attribute"
            and args is not None
            and not args.named_children
            else (args.named_children[0] if args is not None and args.named_children else None)
        )
        while inner is not None and inner.type == "parenthesized_expression":
            inner = inner.named_children[0] if inner.named_children else None
        if inner is None or inner.type != "binary_operator":
            return None
        left, right = inner.child_by_field_name("left"), inner.child_by_field_name("right")
        if _text(inner.child_by_field_name("operator")) != "-" or left is None or right is None:
            return None
        return left, right
    if args is None:
        return None
    positional = [a for a in args.named_children if a.type != "keyword_argument"]
    return (positional[0], positional[1]) if len(positional) >= 2 else None


def _resolved(node: Node) -> Node:
    """A name's value where it was last assigned before `node`, in the same block."""
    if node.type != "identifier":
        return node
    name = text_of(node)
    statement = node
    while statement.parent is not None and statement.parent.type not in ("block", "module"):
        statement = statement.parent
    sibling = statement.prev_named_sibling
    while sibling is not None:
        for assignment in walk(sibling):
            if assignment.type != "assignment":
                continue
            left, right = (
                assignment.child_by_field_name("left"),
                assignment.child_by_field_name("right"),
            )
            if left is not None and right is not None and text_of(left) == name:
                return right
        sibling = sibling.prev_named_sibling
    return node


def _twin(
    mine: Node, theirs: Node, launcher: str, params: list[str], module_names: set[str]
) -> Twin | None:
    call = _resolved(mine)
    if call.type != "call" or _text(call.child_by_field_name("function")) != launcher:
        return None
    args = call.child_by_field_name("arguments")
    positional = list(args.named_children) if args is not None else []
    if any(a.type == "keyword_argument" for a in positional) or len(positional) > len(params):
        return None
    binds = tuple((text_of(a), p) for a, p in zip(positional, params) if a.type == "identifier")
    expr = _resolved(theirs)
    if any(
        n.type == "call" and _text(n.child_by_field_name("function")) == launcher
        for n in walk(expr)
    ):
        return None
    readable = {name for name, _ in binds} | module_names
    if not set(free_names(expr)) <= readable:
        return None  # it reads a local the launcher's call does not pass
    line = mine.start_point.row + 1
    return Twin(text_of(expr), binds, f"the comparison on line {line}", tuple(free_names(expr)))
