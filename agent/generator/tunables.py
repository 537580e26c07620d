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

A persistent kernel (one that strides over its work by `tl.num_programs(0)`, as Triton's
tutorial 02 softmax does) is right at any number of programs, so its grid is a tunable
too: the launch's first grid axis scaled by a power of two (`grid_shift`), wherever it is
launched from (the kernel, an alias, or the handle `warmup` returned).

An autotuned kernel (`@triton.autotune(configs=CONFIGS, key=...)`) is searched over its
own configs: a candidate pins ONE of them (so the autotuner has nothing to race), with
its power-of-two block sizes scaled and its num_warps changed. The configs are often
built by a function, so the pinning is done at import time by a helper the candidate
carries (`_kw_pinned_config`), over whatever list the user's expression makes.

Pure text (the standard library's `ast`): nothing of the problem is imported here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

WARPS = (2, 4, 8, 16)
GRID_SHIFT_MOST = 3  # a persistent grid scaled by at most 8 either way
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
    # the kernel's `configs=` expression, where it is autotuned
    autotune_configs: ast.expr | None = None
    autotune_count: int | None = None  # how many configs, where the list is literal
    decorators_line: int = 0  # the kernel's first decorator line (1-based), where autotuned
    # where num_warps / num_stages are written: the keyword's literal, or the literal
    # a local the keyword names was assigned
    sites: dict[str, ast.Constant] = field(default_factory=dict)
    # a persistent kernel's launch grid: its first axis, written on one line
    grid: ast.expr | None = None

    @property
    def default(self) -> dict[str, int]:
        """The values as written (num_warps 4 where unset: Triton's own default); for an
        autotuned kernel, its first config alone."""
        if self.autotune_configs is not None:
            return {"config": 0, "block_shift": 0, "num_warps": 0}
        config = dict(self.blocks)
        if not self.warps_computed:
            config["num_warps"] = self.warps or 4
        if self.stages is not None:
            config["num_stages"] = self.stages
        if self.grid is not None:
            config["grid_shift"] = 0
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


def _persistent(tree: ast.Module, kernel: str) -> bool:
    """The kernel strides over its work by the grid's size: `tl.num_programs(0)`."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == kernel:
            return any(
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "num_programs"
                and (
                    [ast.unparse(a) for a in call.args] == ["0"]
                    or [ast.unparse(k.value) for k in call.keywords if k.arg == "axis"] == ["0"]
                )
                for call in ast.walk(node)
            )
    return False


def _grid_axis(fn: ast.FunctionDef, names: set[str]) -> ast.expr | None:
    """The first axis of the literal grid tuple `name[(axis, ...)](...)` launches with, for
    any of `names` (the kernel, its aliases, its warmup handles), where on one line."""
    for node in ast.walk(fn):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Subscript)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in names
            and isinstance(node.func.slice, ast.Tuple)
            and node.func.slice.elts
        ):
            axis = node.func.slice.elts[0]
            return axis if axis.lineno == axis.end_lineno else None
    return None


def _handles(fn: ast.FunctionDef, kernel: str) -> set[str]:
    """Locals bound to `kernel.warmup(...)`: launched as `handle[grid](...)`."""
    return {
        node.targets[0].id
        for node in ast.walk(fn)
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Call)
        and _launched_kernel(node.value, {kernel}, {}) == kernel
    }


def _autotune_configs(tree: ast.Module) -> dict[str, tuple[ast.expr, int]]:
    """Autotuned kernels -> the expression their decorator passes as `configs`, and the
    line of the kernel's first decorator (where the candidate's helper goes)."""
    out = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for dec in node.decorator_list:
            if isinstance(dec, ast.Call) and "autotune" in ast.unparse(dec.func):
                given = [k.value for k in dec.keywords if k.arg == "configs"] + dec.args[:1]
                if given:
                    top = min(d.lineno for d in node.decorator_list)
                    out[node.name] = (given[0], top)
    return out


def find_launch(source: str) -> Launch | None:
    """The first `kernel[grid](...)` launch with something to tune, in a top-level function
    (an autotuned kernel's configs are something to tune)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    kernels = _kernels(tree)
    autotuned = _autotune_configs(tree)
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef) or fn.name in kernels:
            continue
        # `k = kernel` then `k[grid](...)`: a launch through a local name
        aliases = {
            node.targets[0].id: node.value.id
            for node in ast.walk(fn)
            if isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Name)
            and node.value.id in kernels
        }
        for node in ast.walk(fn):
            kernel = _launched_kernel(node, kernels, aliases)
            if kernel is None:
                continue
            assert isinstance(node, ast.Call)
            launch = Launch(kernel, fn, node)
            if launch.kernel in autotuned:
                configs, launch.decorators_line = autotuned[launch.kernel]
                launch.autotune_configs = configs
                if isinstance(configs, (ast.List, ast.Tuple)):
                    launch.autotune_count = len(configs.elts)
                return launch
            for keyword in node.keywords:
                value = _literal(fn, keyword.value)
                if value is None:
                    launch.warps_computed |= keyword.arg == "num_warps"
                    continue
                number = value.value
                assert isinstance(number, int)  # _literal returns int literals only
                if keyword.arg in ("num_warps", "num_stages"):
                    launch.sites[keyword.arg] = value
                if keyword.arg == "num_warps":
                    launch.warps = number
                elif keyword.arg == "num_stages":
                    launch.stages = number
                elif keyword.arg and number >= MIN_BLOCK and _pow2(number):
                    launch.blocks[keyword.arg] = number
            if _persistent(tree, kernel):
                names = {kernel} | {a for a, k in aliases.items() if k == kernel}
                axis = _grid_axis(fn, names | _handles(fn, kernel))
                # a block literal inside the axis changes with the block: one edit per site
                if axis is not None and not any(
                    isinstance(c, ast.Constant) and c.value in launch.blocks.values()
                    for c in ast.walk(axis)
                ):
                    launch.grid = axis
            return launch
    return None


def _launched_kernel(node: ast.AST, kernels: set[str], aliases: dict[str, str]) -> str | None:
    """The kernel `node` launches: `kernel[grid](...)` (also through a local alias), or
    `kernel.warmup(...)`, the compile step of a launch through its handle (Triton's
    tutorial 02)."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Subscript) and isinstance(func.value, ast.Name):
        name = func.value.id
        return name if name in kernels else aliases.get(name)
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "warmup"
        and isinstance(func.value, ast.Name)
        and func.value.id in kernels
    ):
        return func.value.id
    return None


def _literal(fn: ast.FunctionDef, value: ast.expr) -> ast.Constant | None:
    """The int literal a launch argument is: written in place, or a local the launcher
    assigns once from a literal (`num_warps = 8`)."""
    if isinstance(value, ast.Constant) and type(value.value) is int:
        return value
    if not isinstance(value, ast.Name):
        return None
    assigned = [
        node.value
        for node in ast.walk(fn)
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign))
        and any(
            isinstance(t, ast.Name) and t.id == value.id
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        )
    ]
    if len(assigned) == 1 and isinstance(assigned[0], ast.Constant):
        constant = assigned[0]
        return constant if type(constant.value) is int else None
    return None


def _pow2(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def neighbours(launch: Launch, config: dict[str, int]) -> list[tuple[dict[str, int], str]]:
    """Configs one step from `config`: each block halved, doubled, quartered, quadrupled;
    each other num_warps (each one, where the launcher computes it); each other
    num_stages where the launch sets it. An autotuned kernel: its other configs, the
    blocks scaled by 2 and 4 either way, each num_warps."""
    if launch.autotune_configs is not None:
        return _autotune_neighbours(launch, config)
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
    if "grid_shift" in config:
        for shift in (1, -1, 2, -2):
            value = config["grid_shift"] + shift
            if -GRID_SHIFT_MOST <= value <= GRID_SHIFT_MOST:
                out.append(({**config, "grid_shift": value}, f"programs {_factor(value)}"))
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


# Carried by an autotuned kernel's candidate: the user's configs list reduced to one,
# its power-of-two block sizes (16 and up) shifted, num_warps replaced where nonzero.
PINNED_CONFIG_HELPER = """
def _kw_pinned_config(configs, index, block_shift, num_warps):
    configs = list(configs)
    base = configs[index % len(configs)]

    def scaled(value):
        if type(value) is int and value >= 16 and value & (value - 1) == 0:
            return max(16, value << block_shift if block_shift >= 0 else value >> -block_shift)
        return value

    kwargs = {name: scaled(value) for name, value in base.kwargs.items()}
    return [
        triton.Config(
            kwargs,
            num_warps=num_warps or base.num_warps,
            num_stages=base.num_stages,
            pre_hook=base.pre_hook,
        )
    ]

"""


def _autotune_neighbours(
    launch: Launch, config: dict[str, int]
) -> list[tuple[dict[str, int], str]]:
    out = []
    count = launch.autotune_count or 4  # a built list: try its first few
    for index in range(count):
        if index != config["config"]:
            out.append(({**config, "config": index}, f"autotune config #{index + 1} alone"))
    for shift in (1, -1, 2, -2):
        value = config["block_shift"] + shift
        if -3 <= value <= 3:
            out.append(({**config, "block_shift": value}, f"block sizes {_factor(value)}"))
    for warps in WARPS:
        if warps != config["num_warps"]:
            out.append(({**config, "num_warps": warps}, f"num_warps → {warps}"))
    return out


def _factor(shift: int) -> str:
    return f"×{1 << shift}" if shift >= 0 else f"÷{1 << -shift}"


def _render_autotuned(source: str, launch: Launch, config: dict[str, int]) -> str:
    configs = launch.autotune_configs
    assert configs is not None and configs.end_lineno is not None
    lines = source.splitlines(keepends=True)
    first, last = configs.lineno, configs.end_lineno
    assert configs.end_col_offset is not None
    head = lines[first - 1].encode()[: configs.col_offset].decode()
    tail = lines[last - 1].encode()[configs.end_col_offset :].decode()
    pinned = (
        f"_kw_pinned_config({ast.unparse(configs)}, {config['config']}, "
        f"{config['block_shift']}, {config['num_warps']})"
    )
    lines[first - 1 : last] = [head + pinned + tail]
    lines.insert(launch.decorators_line - 1, PINNED_CONFIG_HELPER)
    return _rename_model("".join(lines))


def render(source: str, launch: Launch, config: dict[str, int]) -> str:
    """The problem's source launched at `config`, its Model renamed ModelNew."""
    if launch.autotune_configs is not None:
        return _render_autotuned(source, launch, config)
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, int, str]] = []  # (line, start col, end col, text), 1-based lines
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
            # the literal where it is written, else the keyword's computed value replaced
            keyword = next((k.value for k in launch.call.keywords if k.arg == name), None)
            site = launch.sites.get(name, keyword)
            if site is not None:
                edits.append(_at(site, str(value)))
            elif name == "num_warps" and value != 4:
                end = launch.call.end_lineno, launch.call.end_col_offset
                assert end[0] is not None and end[1] is not None
                # before the call's closing parenthesis
                edits.append((end[0], end[1] - 1, end[1] - 1, f", num_warps={value}"))
        elif name == "grid_shift" and value and launch.grid is not None:
            axis = ast.unparse(launch.grid)
            scaled = f"({axis}) << {value}" if value > 0 else f"({axis}) >> {-value}"
            edits.append(_at(launch.grid, f"max(1, {scaled})"))
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
