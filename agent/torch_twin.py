"""The problem the generator plans from, where it is not the problem itself.

A Triton kernel's problem (server/problem_modules.py) has the user's kernel as
`Model`, which cannot be captured without running it. Where the user's file says
what the kernel computes in PyTorch, the problem also defines `ModelTorch`
(server/torch_twin.py). The capture then runs on a copy of the problem whose `Model`
is `ModelTorch`; the search's candidates are verified against the real `Model`.
Pure text: nothing of the problem is imported here.
"""

from __future__ import annotations

import ast

TWIN = "ModelTorch"


def capture_source(source: str) -> str | None:
    """The problem's source with `Model` rebound to its `ModelTorch`, or None where it has none."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if not any(isinstance(s, ast.ClassDef) and s.name == TWIN for s in tree.body):
        return None
    return f"{source.rstrip()}\n\n\n# the generator plans from the PyTorch form\nModel = {TWIN}\n"
