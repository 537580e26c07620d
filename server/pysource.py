"""What a Python module says, read with tree-sitter: names, imports, constants,
parameters, and renaming. Shared by detection, problem building and editing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from tree_sitter import Node

from .documents import new_parser


def bytes_of(node: Node) -> bytes:
    """A node's source bytes. tree-sitter types `Node.text` as optional (it is missing
    for a tree parsed through a read callback); every tree here is parsed from bytes."""
    text = node.text
    assert text is not None
    return text


def text_of(node: Node) -> str:
    """A node's source text."""
    return bytes_of(node).decode()


def field_of(node: Node, name: str) -> Node:
    """A field the grammar requires of this node type (a function's `name`, an
    import alias's `alias`); tree-sitter's error recovery inserts a missing token
    rather than leave it out, so its absence means the caller asked the wrong node."""
    child = node.child_by_field_name(name)
    if child is None:
        raise ValueError(f"a {node.type} node has no {name!r} field")
    return child


def walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def is_variable_name(node: Node) -> bool:
    """An identifier that names a variable: not `x.attr`'s attribute, not `f(key=...)`'s key."""
    if node.type != "identifier":
        return False
    parent = node.parent
    if parent is None:
        return True
    if parent.type == "attribute" and parent.child_by_field_name("attribute") == node:
        return False
    return not (parent.type == "keyword_argument" and parent.child_by_field_name("name") == node)


def dotted(node: Node | None) -> str | None:
    """`a.b.c` for an identifier/attribute chain, else None."""
    if node is None:
        return None
    if node.type == "identifier":
        return text_of(node)
    if node.type == "attribute":
        obj = dotted(node.child_by_field_name("object"))
        attr = node.child_by_field_name("attribute")
        if obj is None or attr is None:
            return None
        return f"{obj}.{text_of(attr)}"
    return None


def import_aliases(root: Node) -> dict[str, str]:
    """Top-level names bound by imports → the module or object they name."""
    return _aliases(root.named_children)


def _aliases(statements: Iterable[Node]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for stmt in statements:
        if stmt.type == "import_statement":
            for item in stmt.named_children:
                if item.type == "aliased_import":
                    aliases[text_of(field_of(item, "alias"))] = text_of(field_of(item, "name"))
                elif item.type == "dotted_name":
                    full = text_of(item)
                    aliases[full.split(".")[0]] = full.split(".")[0]
        elif stmt.type == "import_from_statement":
            module = stmt.child_by_field_name("module_name")
            mod = text_of(module) if module else ""
            for item in stmt.children_by_field_name("name"):
                if item.type == "aliased_import":
                    name = text_of(field_of(item, "name"))
                    aliases[text_of(field_of(item, "alias"))] = f"{mod}.{name}"
                else:
                    aliases[text_of(item)] = f"{mod}.{text_of(item)}"
    return aliases


def resolve(dotted: str, aliases: dict[str, str]) -> str:
    head, _, rest = dotted.partition(".")
    base = aliases.get(head, head)
    return f"{base}.{rest}" if rest else base


def enclosing_function(node: Node) -> Node | None:
    n = node.parent
    while n is not None:
        if n.type == "function_definition":
            return n
        n = n.parent
    return None


def enclosing_class(fn: Node) -> Node | None:
    n = fn.parent
    while n is not None:
        if n.type == "class_definition":
            return n
        if n.type == "function_definition":
            return None
        n = n.parent
    return None


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
        names = [n for n in walk(right) if n.type == "identifier"]
        if any(n.type in ("call", "lambda", "await") for n in walk(right)):
            continue
        if all(text_of(n) in out for n in names):
            out[text_of(left)] = text_of(stmt)
    return out


def imports(root: Node) -> list[tuple[set[str], str]]:
    out = []
    for stmt in root.named_children:
        if stmt.type in ("import_statement", "import_from_statement"):
            bound = bound_by(stmt)
            out.append((bound, text_of(stmt)))
    return out


def bound_by(stmt: Node) -> set[str]:
    """Names one import statement binds."""
    return set(_aliases([stmt]))


def free_names(node: Node) -> list[str]:
    """Names an expression reads, in first-appearance order."""
    bound: set[str] = set()
    for n in walk(node):
        if n.type == "lambda":
            params = n.child_by_field_name("parameters")
            bound |= (
                {text_of(p) for p in walk(params) if p.type == "identifier"} if params else set()
            )
        if n.type == "for_in_clause":
            left = n.child_by_field_name("left")
            bound |= {text_of(p) for p in walk(left) if p.type == "identifier"} if left else set()
    out: list[str] = []
    for n in walk(node):
        if not is_variable_name(n):
            continue
        name = text_of(n)
        if name not in bound and name not in out:
            out.append(name)
    return out


def constants_needed(names: list[str], constants: dict[str, str], root: Node) -> list[str]:
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

    rhs = stmt.split("=", 1)[1] if "=" in stmt else stmt
    return re.search(rf"\b{re.escape(name)}\b", rhs) is not None


def params(fn: Node) -> tuple[list[str], list[str]]:
    """(required parameter names, all parameter names) of a function definition."""
    required, everything = [], []
    params = fn.child_by_field_name("parameters")
    for p in params.named_children if params else []:
        if p.type == "identifier":
            required.append(text_of(p))
            everything.append(text_of(p))
        elif p.type == "typed_parameter":
            name = text_of(p.named_children[0])
            required.append(name)
            everything.append(name)
        elif p.type in ("default_parameter", "typed_default_parameter"):
            everything.append(text_of(field_of(p, "name")))
    return required, everything


def param_annotations(fn: Node) -> dict[str, str]:
    """Parameter name -> its type annotation as written (`eps: float` -> "float")."""
    if fn.type == "decorated_definition":
        fn = field_of(fn, "definition")
    found: dict[str, str] = {}
    params = fn.child_by_field_name("parameters")
    for p in params.named_children if params else []:
        if p.type not in ("typed_parameter", "typed_default_parameter"):
            continue
        kind = p.child_by_field_name("type")
        name = p.child_by_field_name("name") if p.type == "typed_default_parameter" else None
        name = name or p.named_children[0]
        if kind is not None and name.type == "identifier":
            found[text_of(name)] = text_of(kind)
    return found


def class_named(root: Node, name: str | None) -> Node | None:
    """The first class definition called `name` anywhere under `root`."""
    return next(
        (
            n
            for n in walk(root)
            if n.type == "class_definition" and text_of(field_of(n, "name")) == name
        ),
        None,
    )


def top_level_function(root: Node, name: str) -> Node | None:
    for stmt in root.named_children:
        fn = stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
        if (
            fn is not None
            and fn.type == "function_definition"
            and text_of(field_of(fn, "name")) == name
        ):
            return stmt
    return None


def assigned_before(fn: Node, name: str, before: int) -> bool:
    for n in walk(field_of(fn, "body")):
        if n.start_byte >= before:
            continue
        if n.type in ("assignment", "augmented_assignment", "for_statement"):
            left = n.child_by_field_name("left")
            if left is not None and any(
                i.type == "identifier" and text_of(i) == name for i in walk(left)
            ):
                return True
    return False


def top_level_functions(root: Node) -> set[str]:
    out = set()
    for stmt in root.named_children:
        fn = stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
        if fn is not None and fn.type == "function_definition":
            out.add(text_of(field_of(fn, "name")))
    return out


def definitions(root: Node, skip: set[str], with_classes: bool) -> list[str]:
    out = []
    for stmt in root.named_children:
        fn = stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
        if fn is None:
            continue
        if fn.type == "function_definition" or (with_classes and fn.type == "class_definition"):
            if text_of(field_of(fn, "name")) not in skip:
                out.append(text_of(stmt))
        elif stmt.type == "expression_statement" and "triton.jit(" in text_of(stmt):
            out.append(text_of(stmt))
    return out


def rename(source: str, mapping: dict[str, str]) -> str:
    """Rename identifiers (not attributes or keyword names) in Python source."""

    tree = new_parser().parse(source.encode())
    edits = []
    for n in walk(tree.root_node):
        if is_variable_name(n) and text_of(n) in mapping:
            edits.append((n.start_byte, n.end_byte, mapping[text_of(n)]))
    data = source.encode()
    for s, e, new in sorted(edits, reverse=True):
        data = data[:s] + new.encode() + data[e:]
    return data.decode()


def top_level_names(root: Node) -> set[str]:
    names = set(import_aliases(root))
    for stmt in root.named_children:
        node = (
            stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
        )
        if node is not None and node.type in ("function_definition", "class_definition"):
            names.add(text_of(field_of(node, "name")))
        elif stmt.type == "expression_statement" and stmt.named_children[0].type == "assignment":
            left = field_of(stmt.named_children[0], "left")
            names |= {text_of(n) for n in walk(left) if n.type == "identifier"}
    return names


_INFERENCE_CALLS = ("no_grad", "inference_mode")


def inside_inference(root: Node, start: int, end: int) -> bool:
    """Whether the code in [start, end) runs as inference: inside `with torch.no_grad():`
    or `torch.inference_mode()`, or in a function decorated with either. Such code (and
    any in a file that puts a model in eval mode, `calls_eval`) makes a problem that
    declares `INFERENCE = True`, so the harness builds its reference in eval mode too."""
    node = root.named_descendant_for_byte_range(start, end)
    while node is not None:
        if node.type == "with_statement":
            clause = node.child_by_field_name("body")
            header = bytes_of(node)[: (clause.start_byte - node.start_byte) if clause else None]
            if any(name.encode() + b"(" in header for name in _INFERENCE_CALLS):
                return True
        if node.type == "decorated_definition":
            for decorator in node.children:
                if decorator.type == "decorator" and any(
                    name.encode() in bytes_of(decorator) for name in _INFERENCE_CALLS
                ):
                    return True
        node = node.parent
    return False


def calls_eval(root: Node) -> bool:
    """Whether the file calls `.eval()` on something (a model put in eval mode)."""
    if b"eval" not in bytes_of(root):  # the whole-tree walk only where it can find one
        return False
    for call in walk(root):
        if call.type == "call":
            function = call.child_by_field_name("function")
            arguments = call.child_by_field_name("arguments")
            if (
                function is not None
                and function.type == "attribute"
                and bytes_of(field_of(function, "attribute")) == b"eval"
                and arguments is not None
                and arguments.named_child_count == 0
            ):
                return True
    return False
