"""Checks on a candidate's source text, before any of it runs.

Standard library only: the parent runs `candidate_shape` to tell bad input
from a broken candidate, and the worker runs `find_cheats` on the same text.
Each rule names the trick it stops; the tests hold one cheating candidate per
rule (tests/cheats/).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    rule: str
    line: int
    detail: str
    # A plain-TF32 `tl.dot` is a downcast unless the reference itself computes in
    # TF32 (cuDNN convolutions under PyTorch's defaults), which only the traced
    # reference can tell: harness/pipeline.py decides these once it has run.
    unless_reference_tf32: bool = False

    def __str__(self) -> str:
        return f"{self.rule} (line {self.line}): {self.detail}"


def candidate_shape(source: str) -> str | None:
    """None if the source parses and defines ModelNew; else why it cannot be a candidate.

    A syntax error is not bad input (it is the candidate's `compile_error`),
    so this returns None for it and lets the worker report the verdict.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if not any(isinstance(n, ast.ClassDef) and n.name == "ModelNew" for n in tree.body):
        return "the candidate defines no top-level `class ModelNew`"
    return None


def problem_shape(source: str) -> str | None:
    """None if the source looks like a KernelBench problem; else the reason."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        return f"the problem does not parse: {err.msg} (line {err.lineno})"
    names = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    for needed, what in (("Model", "class Model"), ("get_inputs", "get_inputs()")):
        if needed not in names:
            return f"the problem defines no top-level `{what}`"
    return None


# Modules whose import in a candidate means work outside the timed stream.
_CONCURRENCY_MODULES = {"threading", "multiprocessing", "concurrent", "_thread", "asyncio"}
# Attributes whose reassignment would bend the harness's clocks or comparisons.
_PROTECTED_ROOTS = {"torch", "time", "triton", "kernelwright", "builtins", "sys", "os"}
_STREAM_NAMES = {"Stream", "stream", "set_stream", "ExternalStream", "StreamContext"}
_LOW_PRECISION = {"float16", "half", "bfloat16", "float8_e4m3fn", "float8_e5m2", "int8"}
# torch.compile and its parts: Inductor's kernels, not the candidate's, and the very
# baseline `bench` times every candidate against.
_COMPILERS = {"torch.compile", "torch._dynamo.optimize"}
_COMPILER_MODULE = "torch._inductor"
_COMPILE_DETAIL = "hands the forward to torch.compile: Inductor's kernels, not a kernel of its own"


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


class _CheatFinder(ast.NodeVisitor):
    def __init__(self, fp32_problem: bool):
        self.fp32_problem = fp32_problem
        self.findings: list[Finding] = []

    def _add(self, rule: str, node: ast.AST, detail: str) -> None:
        self.findings.append(Finding(rule, getattr(node, "lineno", 0), detail))

    # try/except fallback: a failing kernel silently replaced by PyTorch.
    def visit_Try(self, node: ast.Try | ast.TryStar) -> None:
        for handler in node.handlers:
            reraises = all(isinstance(stmt, ast.Raise) for stmt in handler.body)
            if not reraises:
                self._add(
                    "try-except-fallback",
                    handler,
                    "an except branch that does not re-raise can hide a failing kernel",
                )
        self.generic_visit(node)

    visit_TryStar = visit_Try

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._check_module(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self._check_module(node.module or "", node)
        if node.module and "kernelwright" in node.module:
            self._add("harness-access", node, "imports the harness")
        if any(f"{node.module}.{alias.name}" in _COMPILERS for alias in node.names):
            self._add("torch-compile", node, _COMPILE_DETAIL)

    def _check_module(self, name: str, node: ast.AST) -> None:
        root = name.split(".")[0]
        if root in _CONCURRENCY_MODULES:
            self._add("threads", node, f"imports `{name}`: work must stay on the calling thread")
        if root in ("kernelwright", "gc", "inspect", "ctypes"):
            self._add("harness-access", node, f"imports `{name}`, which can reach the harness")
        if name == _COMPILER_MODULE or name.startswith(_COMPILER_MODULE + "."):
            self._add("torch-compile", node, _COMPILE_DETAIL)

    def visit_Name(self, node: ast.Name) -> None:
        # The reference class itself as the answer.
        if node.id == "Model":
            self._add("calls-reference", node, "uses the reference `Model`")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        dotted = _dotted(node)
        if node.attr == "Model":
            self._add("calls-reference", node, f"uses the reference `{dotted}`")
        if dotted in _COMPILERS:
            self._add("torch-compile", node, _COMPILE_DETAIL)
        if node.attr in _STREAM_NAMES and ("cuda" in dotted or dotted.startswith("torch")):
            self._add(
                "other-stream", node, f"`{dotted}`: work on another CUDA stream escapes timing"
            )
        if (
            self.fp32_problem
            and node.attr in _LOW_PRECISION
            and dotted.split(".")[0] in ("torch", "tl", "triton")
        ):
            self._add(
                "precision-downcast",
                node,
                f"`{dotted}` on an fp32 problem lowers precision below the reference's",
            )
        if node.attr in (
            "allow_tf32",
            "set_float32_matmul_precision",
            "allow_fp16_reduced_precision_reduction",
            "allow_bf16_reduced_precision_reduction",
        ):
            self._add(
                "precision-downcast", node, f"`{dotted}` changes PyTorch's precision settings"
            )
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._check_patch(target, node)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = _dotted(node.func)
        if func in ("setattr", "builtins.setattr") and node.args:
            owner = _dotted(node.args[0]).split(".")[0]
            if owner in _PROTECTED_ROOTS:
                self._add("monkey-patch", node, f"setattr on `{owner}`")
        if func in ("tl.dot", "triton.language.dot", "language.dot"):
            self._check_dot_precision(node)
        self.generic_visit(node)

    def _check_dot_precision(self, node: ast.Call) -> None:
        if not self.fp32_problem:
            return
        kwargs = {kw.arg: kw.value for kw in node.keywords}
        precision = kwargs.get("input_precision")
        allow_tf32 = kwargs.get("allow_tf32")
        # "tf32x3" (three TF32 products, fp32's accuracy) passes here: the
        # verification's tolerance judges it. Plain "tf32", or no argument (which
        # defaults to it), keeps a 10-bit mantissa: a downcast, unless the
        # reference computes in TF32 too (Finding.unless_reference_tf32).
        fp32_kept = isinstance(precision, ast.Constant) and precision.value in ("ieee", "tf32x3")
        no_tf32 = isinstance(allow_tf32, ast.Constant) and allow_tf32.value is False
        if not (fp32_kept or no_tf32):
            self.findings.append(
                Finding(
                    "precision-downcast",
                    node.lineno,
                    'tl.dot on fp32 defaults to tf32: pass input_precision="ieee" (or "tf32x3")',
                    unless_reference_tf32=True,
                )
            )

    def _check_patch(self, target: ast.AST, node: ast.AST) -> None:
        if isinstance(target, ast.Attribute):
            root = _dotted(target).split(".")[0]
            if root in _PROTECTED_ROOTS:
                self._add("monkey-patch", node, f"assigns to `{_dotted(target)}`")


def find_cheats(source: str, fp32_problem: bool, problem_source: str = "") -> list[Finding]:
    """Every rule the candidate's source breaks (empty when it looks honest).

    A low-precision name on a line the problem itself writes is the user's own code
    carried along (a tutorial's `{torch.float16: tl.float16}` dtype table): whatever it
    does, the reference does too, so it is not the candidate's downcast."""
    tree = ast.parse(source)
    finder = _CheatFinder(fp32_problem)
    finder.visit(tree)
    own = {line.strip() for line in problem_source.splitlines() if line.strip()}
    lines = source.splitlines()
    return [
        f
        for f in finder.findings
        if not (
            f.rule == "precision-downcast"
            and not f.unless_reference_tf32
            and 0 < f.line <= len(lines)
            and lines[f.line - 1].strip() in own
        )
    ]
