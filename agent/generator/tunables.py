"""A user's own Triton kernel re-launched with other tunables: block sizes, num_warps.

When the problem's reference is a Triton kernel (server/problem_modules.py builds it
from the kernel and its launcher), the graph cannot be captured without running the
kernel, so no template applies. The kernel itself still has a search space: the
power-of-two `tl.constexpr` keyword arguments of its launch (`BLOCK=1024`) and the
launch's `num_warps` / `num_stages`. A candidate is the problem's own code with
those values changed and `Model` renamed `ModelNew`; a block size that the grid
also spells as the same literal (`triton.cdiv(n, 1024)`) changes there too, inside
the launcher, so grid and block stay consistent. A launch whose grid reads the
block from `meta` needs nothing else.

Pure text (the standard library's `ast`): nothing of the problem is imported here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

WARPS = (2, 4, 8, 16)
STAGES = (2, 3, 4, 5)
MIN_BLOCK, MAX_BLOCK = 16, 1 << 16


@dataclass
class Launch:
    kernel: str
    launcher: ast.FunctionDef
    call: ast.Call
    blocks: dict[str, int] = field(default_factory=dict)  # power-of-two int keyword args
    warps: int | None = None
    stages: int | None = None
    # num_warps computed by the launcher (Liger's `calculate_settings`): the default
    # config leaves it out, and each literal is a candidate.
    warps_computed: bool = False

    @property
    def default(self) -> dict[str, int]:
        """The values as written (num_warps 4 where unset: Triton's own default)."""
        config = dict(self.blocks)
        if not self.warps_computed:
            config["num_warps"] = self.warps or 4
        if self.stages is not None:
            config["num_stages"] = self.stages
        return config


def _kernels(tree: ast.Module) -> set[str]:
    """Top-level functions decorated with triton.jit (also under triton.autotune)."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any(
            "jit" in ast.unparse(d) for d in node.decorator_list
        ):
            names.add(node.name)
    return names


def _autotuned(tree: ast.Module) -> set[str]:
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any("autotune" in ast.unparse(d) for d in node.decorator_list)
    }


def find_launch(source: str) -> Launch | None:
    """The first `kernel[grid](...)` launch with something to tune, in a top-level function.

    An autotuned kernel is left alone: its configs are its own search."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    kernels = _kernels(tree) - _autotuned(tree)
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef) or fn.name in kernels:
            continue
        for node in ast.walk(fn):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Subscript)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in kernels
            ):
                continue
            launch = Launch(node.func.value.id, fn, node)
            for keyword in node.keywords:
                value = keyword.value
                if not (isinstance(value, ast.Constant) and type(value.value) is int):
                    launch.warps_computed |= keyword.arg == "num_warps"
                    continue
                if keyword.arg == "num_warps":
                    launch.warps = value.value
                elif keyword.arg == "num_stages":
                    launch.stages = value.value
                elif keyword.arg and value.value >= MIN_BLOCK and _pow2(value.value):
                    launch.blocks[keyword.arg] = value.value
            return launch
    return None


def _pow2(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def neighbours(launch: Launch, config: dict[str, int]) -> list[tuple[dict[str, int], str]]:
    """Configs one step from `config`: each block halved, doubled, quartered, quadrupled;
    each other num_warps (each one, where the launcher computes it); each other
    num_stages where the launch sets it."""
    out = []
    for name in launch.blocks:
        for factor in (2, 0.5, 4, 0.25):
            value = int(config[name] * factor)
            if MIN_BLOCK <= value <= MAX_BLOCK:
                out.append(({**config, name: value}, f"{name} {config[name]} → {value}"))
    written = config.get("num_warps")
    for warps in WARPS:
        if warps != written:
            was = written if written is not None else "as the launcher computes it"
            out.append(({**config, "num_warps": warps}, f"num_warps {was} → {warps}"))
    if "num_stages" in config:
        for stages in STAGES:
            if stages != config["num_stages"]:
                out.append(
                    (
                        {**config, "num_stages": stages},
                        f"num_stages {config['num_stages']} → {stages}",
                    )
                )
    return out


def render(source: str, launch: Launch, config: dict[str, int]) -> str:
    """The problem's source launched at `config`, its Model renamed ModelNew."""
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, int, str]] = []  # (line, start col, end col, text), 1-based lines
    by_arg = {k.arg: k for k in launch.call.keywords}
    for name, value in config.items():
        if name in launch.blocks:
            written = launch.blocks[name]
            if value == written:
                continue
            # the literal wherever the launcher writes it: the keyword and the grid alike
            for node in ast.walk(launch.launcher):
                if (
                    isinstance(node, ast.Constant)
                    and type(node.value) is int
                    and node.value == written
                ):
                    edits.append(_at(node, str(value)))
        elif name in ("num_warps", "num_stages"):
            keyword = by_arg.get(name)
            if keyword is not None:
                edits.append(_at(keyword.value, str(value)))
            elif name == "num_warps" and value != 4:
                end = launch.call.end_lineno, launch.call.end_col_offset
                assert end[0] is not None and end[1] is not None
                # before the call's closing parenthesis
                edits.append((end[0], end[1] - 1, end[1] - 1, f", num_warps={value}"))
    for line, start, stop, text in sorted(edits, reverse=True):
        raw = lines[line - 1].encode()
        lines[line - 1] = (raw[:start] + text.encode() + raw[stop:]).decode()
    out = "".join(lines)
    return _rename_model(out)


def _at(node: ast.expr, text: str) -> tuple[int, int, int, str]:
    assert node.end_lineno == node.lineno and node.end_col_offset is not None
    return node.lineno, node.col_offset, node.end_col_offset, text


def _rename_model(source: str) -> str:
    marker = "class Model(nn.Module):"
    if marker not in source:
        raise ValueError("the problem has no `class Model(nn.Module):` to turn into ModelNew")
    return source.replace(marker, "class ModelNew(nn.Module):", 1)


def describe(config: dict[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(config.items()))
