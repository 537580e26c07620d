"""The module-level statements a target's code reaches, for its problem file (never run here).

Triton tutorials and kernel libraries keep what a kernel or its launcher needs at
module level, written with calls: `DEVICE = triton.runtime.driver.active.get_active_torch_device()`,
dicts of dtypes, imports inside `try:` or `if`, helper constants built by functions.
`pysource.module_constants` keeps only call-free assignments, so a problem built from
them raised NameError in the worker. Here every top-level statement that binds a
name the target's code reads (directly or through another such statement) is kept,
in file order. The problem file runs only in harness workers (sandboxed), as the
user's own module would.
"""

from __future__ import annotations

from collections.abc import Iterable

from tree_sitter import Node

from .pysource import bound_by, free_names, text_of, walk

# Statements that bind names and can be carried over as they are.
_BINDING = {
    "expression_statement",
    "import_statement",
    "import_from_statement",
    "if_statement",
    "try_statement",
    "with_statement",
    "function_definition",
    "class_definition",
    "decorated_definition",
}


def _binds(stmt: Node) -> set[str]:
    """Names a top-level statement binds (in nested blocks too, not inside functions)."""
    if stmt.type in ("import_statement", "import_from_statement"):
        return bound_by(stmt)
    if stmt.type == "decorated_definition":
        inner = stmt.child_by_field_name("definition")
        return _binds(inner) if inner is not None else set()
    if stmt.type in ("function_definition", "class_definition"):
        name = stmt.child_by_field_name("name")
        return {text_of(name)} if name is not None else set()
    names: set[str] = set()
    for node in _outside_functions(stmt):
        if node.type in ("import_statement", "import_from_statement"):
            names |= bound_by(node)
        elif node.type in ("assignment", "augmented_assignment"):
            left = node.child_by_field_name("left")
            if left is not None:
                names |= {text_of(n) for n in walk(left) if n.type == "identifier"}
        elif node.type in ("function_definition", "class_definition"):
            name = node.child_by_field_name("name")
            if name is not None:
                names.add(text_of(name))
    return names


def _outside_functions(stmt: Node) -> Iterable[Node]:
    stack = [stmt]
    while stack:
        node = stack.pop()
        yield node
        if node is not stmt and node.type in ("function_definition", "class_definition"):
            continue  # its body binds nothing at module level
        stack.extend(reversed(node.named_children))


def _is_main_guard(stmt: Node) -> bool:
    if stmt.type != "if_statement":
        return False
    condition = stmt.child_by_field_name("condition")
    return condition is not None and "__name__" in text_of(condition)


def module_context(
    root: Node, sources: list[Node], have: set[str], names: Iterable[str] = ()
) -> list[str]:
    """Top-level statements that bind what `sources` read and `have` lacks, transitively
    (a kept function's body and decorators count as read), in file order. `names`: more
    names read (a PyTorch expression's, server/torch_twin.py).
    `if __name__ == "__main__":` blocks and bare calls (a benchmark run, a print) are never
    kept: they bind nothing the code needs. Functions nothing reaches are left out, and
    with them whatever heavy module state only they read."""
    statements = [s for s in root.named_children if s.type in _BINDING and not _is_main_guard(s)]
    binds = {id(s): _binds(s) - have for s in statements}
    wanted = ({name for node in sources for name in free_names(node)} | set(names)) - have
    kept: set[int] = set()
    changed = True
    while changed:
        changed = False
        for stmt in statements:
            if id(stmt) in kept or not binds[id(stmt)] & wanted:
                continue
            kept.add(id(stmt))
            wanted |= set(free_names(stmt)) - have
            changed = True
    return [text_of(s) for s in statements if id(s) in kept]
