"""Code shared by every template: region (pointwise DAG) emission and the module scaffold."""

from __future__ import annotations

import keyword
import math

from ..expr import COMPARE, Operand, Step

TL_DTYPE = {"float32": "tl.float32", "float16": "tl.float16", "bfloat16": "tl.bfloat16"}
TORCH_DTYPE = {
    "float32": "torch.float32",
    "float16": "torch.float16",
    "bfloat16": "torch.bfloat16",
    "int64": "torch.int64",
    "int32": "torch.int32",
    "bool": "torch.bool",
    "float64": "torch.float64",
}

# tanh through exp of a non-positive argument: no overflow, no libdevice (absent
# from the interpreter and spelled differently across Triton versions).
TANH_HELPER = """
@triton.jit
def _tanh(x):
    e = tl.exp(-2.0 * tl.abs(x))
    t = (1.0 - e) / (1.0 + e)
    return tl.where(x >= 0, t, -t)
"""


# Hopper's and Ampere's tensor cores read an fp32 operand's top 19 bits: TF32 by
# truncation, an error biased toward zero that grows with the sum's length.
# cuBLAS and cuDNN round each operand to nearest first; a Triton tl.dot in
# plain "tf32" does not (triton-lang/triton issue 4574), and on an H200 its
# convolution's error was 2.6x cuDNN's TF32 one, over the harness's 2x bound
# (benchmarks/results/h200-2026-12-03-conv-tf32). Rounding the tiles first
# gives cuDNN's numerics; tests/cpu/test_tf32x3_accuracy.py checks both.
TF32_ROUND_HELPER = """
@triton.jit
def _round_to_tf32(x):
    bits = x.to(tl.uint32, bitcast=True)
    return ((bits + 0x1000) & 0xFFFFE000).to(tl.float32, bitcast=True)
"""


def rounds_to_tf32(plan, config: dict) -> bool:
    return plan.dtype == "float32" and config.get("PRECISION") == "tf32"


def dot_operand(plan, config: dict, tile: str) -> str:
    """A tl.dot operand as the kernel passes it: rounded to TF32 in plain-TF32 configs."""
    return f"_round_to_tf32({tile})" if rounds_to_tf32(plan, config) else tile


def dot_helpers(plan, config: dict) -> str:
    return TF32_ROUND_HELPER if rounds_to_tf32(plan, config) else ""


def uses_tanh(steps) -> bool:
    return any(s.op in ("tanh", "gelu_tanh", "mish") for s in steps)


def region_operands(steps: tuple[Step, ...]) -> list[int]:
    return sorted({a[1] for s in steps for a in s.args if a[0] == "operand"})


def _place(offs: str, inner: int, size: int) -> str:
    """The element's place along a dim of `size` whose elements are `inner` apart."""
    return f"(({offs} // {inner}) % {size})" if inner > 1 else f"({offs} % {size})"


def _shifted_place(operand: Operand, offs: str) -> tuple[str, str]:
    """(place, flat index in the operand's region) for a read at a shifted place
    (expr.Operand.at): the region's other coordinates kept, the dim's size the operand's."""
    dim, delta, size, *strided = operand.at
    step, div = strided or (1, 1)  # GPT-J's `x[..., 1::2]`, a stretch's place // r
    inner = math.prod(operand.region[dim + 1 :])
    own = operand.region[dim]
    base = _place(offs, inner, size)
    base = f"({base} // {div})" if div > 1 else base
    base = f"{base} * {step}" if step > 1 else base
    place = f"({base} + {delta})"
    outer = f"({offs} // {size * inner}) * {own * inner}"
    within = f" + {offs} % {inner}" if inner > 1 else ""
    return place, f"({outer} + {place} * {inner}{within})"


def operand_mask(operand: Operand, offs: str, mask: str) -> str:
    """The load's mask: a shifted read also stays inside the operand."""
    if not operand.at:
        return mask
    place, _ = _shifted_place(operand, offs)
    return f"({mask}) & ({place} >= 0) & ({place} < {operand.region[operand.at[0]]})"


def operand_index(operand: Operand, offs: str) -> str:
    if operand.at:
        offs = _shifted_place(operand, offs)[1]
    if operand.mode == "full":
        return offs
    if operand.mode == "strided":
        terms = []
        for inner, count, stride in operand.groups:
            place = (
                _place(offs, inner, count)
                if inner * count < math.prod(operand.region)
                else (f"({offs} // {inner})" if inner > 1 else offs)
            )
            terms.append(f"{place} * {stride}" if stride > 1 else place)
        return "(" + " + ".join(terms) + ")"
    if operand.mode == "scalar":
        return f"{offs} * 0"
    if operand.inner == 1:
        return f"{offs} % {operand.count}"
    if operand.count * operand.inner == math.prod(operand.region):
        return f"{offs} // {operand.inner}"
    return f"({offs} // {operand.inner}) % {operand.count}"


def _literal(value: float) -> str:
    value = float(value)
    return repr(value) if math.isfinite(value) else f"float('{value}')"  # a mask's -inf


def emit_region(
    steps, operands, offs: str, mask: str, head: str | None, prefix: str = "v"
) -> tuple[list[str], str | None]:
    """Lines computing the region at element indices `offs`; returns (lines, result name),
    the name None when the region has no steps and no head."""
    lines: list[str] = []
    loaded: dict[int, str] = {}

    def value(arg) -> str:
        if arg[0] == "head":
            assert head is not None, "only a region given a head reads it"
            return head
        if arg[0] == "v":
            return f"{prefix}{arg[1]}"
        if arg[0] == "const":
            return _literal(arg[1])
        index = arg[1]
        if index not in loaded:
            name = f"{prefix}_op{index}"
            where = operand_index(operands[index], offs)
            within = operand_mask(operands[index], offs, mask)
            lines.append(
                f"{name} = tl.load(op{index}_ptr + {where}, mask={within}, other=0.0)"
                ".to(tl.float32)"
            )
            loaded[index] = name
        return loaded[index]

    result: str | None = head
    for number, step in enumerate(steps):
        args = [value(a) for a in step.args]
        if step.op in ("tril", "triu"):  # the element's place, not only its value
            diagonal, rows, cols = step.params
            keep = "<=" if step.op == "tril" else ">="
            place = f"({offs} % {cols}) - (({offs} // {cols}) % {rows})"
            expression = f"tl.where({place} {keep} {diagonal}, {args[0]}, 0.0)"
        elif step.op == "interleave":  # piece k where the place is k modulo n
            inner, size, n = step.params
            which = f"({_place(offs, inner, size)} % {n})"
            expression = args[-1]
            for k in reversed(range(n - 1)):
                expression = f"tl.where({which} == {k}, {args[k]}, {expression})"
        elif step.op == "concat":  # the piece the element's place falls in
            inner, size, delta, *starts = step.params
            place = f"({_place(offs, inner, size)} + {delta})"
            expression = args[-1]
            for start, piece in reversed(list(zip(starts, args[:-1], strict=True))):
                expression = f"tl.where({place} < {start}, {piece}, {expression})"
        else:
            expression = step_expression(step, args)
        lines.append(f"{prefix}{number} = {expression}")
        result = f"{prefix}{number}"
    return lines, result


def step_expression(step: Step, args: list[str]) -> str:
    op, p = step.op, step.params
    a = args[0]
    simple = {
        "copy": f"{a}",
        "relu": f"tl.maximum({a}, 0.0)",
        "sigmoid": f"tl.sigmoid({a})",
        "tanh": f"_tanh({a})",
        "exp": f"tl.exp({a})",
        "log": f"tl.log({a})",
        "abs": f"tl.abs({a})",
        "neg": f"-{a}",
        "sqrt": f"tl.sqrt({a})",
        "rsqrt": f"tl.rsqrt({a})",
        "silu": f"{a} * tl.sigmoid({a})",
        "square": f"{a} * {a}",
        "gelu_erf": f"0.5 * {a} * (1.0 + tl.erf({a} * 0.7071067811865476))",
        "gelu_tanh": f"0.5 * {a} * (1.0 + _tanh(0.7978845608028654 * ({a} + 0.044715 * {a} * {a} * {a})))",
        "hardswish": f"{a} * tl.minimum(tl.maximum({a} + 3.0, 0.0), 6.0) / 6.0",
        "hardsigmoid": f"tl.minimum(tl.maximum({a} / 6.0 + 0.5, 0.0), 1.0)",
        "mish": f"{a} * _tanh(tl.where({a} > 20.0, {a}, tl.log(1.0 + tl.exp({a}))))",
        "erf": f"tl.erf({a})",
        # torch.selu's constants (Klambauer et al., 2017)
        "selu": f"1.0507009873554805 * tl.where({a} > 0, {a}, 1.6732632423543772 * (tl.exp({a}) - 1.0))",
        "reciprocal": f"1.0 / {a}",
        # log(1 + x) and exp(x) - 1 lose digits near 0 written plainly; the series keeps them
        "log1p": f"tl.where(tl.abs({a}) < 1e-4, {a} - 0.5 * {a} * {a}, tl.log(1.0 + {a}))",
        "expm1": f"tl.where(tl.abs({a}) < 1e-4, {a} + 0.5 * {a} * {a}, tl.exp({a}) - 1.0)",
        "sin": f"tl.sin({a})",
        "cos": f"tl.cos({a})",
        "softsign": f"{a} / (1.0 + tl.abs({a}))",
        "sign": f"tl.where({a} > 0, 1.0, tl.where({a} < 0, -1.0, 0.0))",
    }
    if op in simple:
        return simple[op]
    if op == "leaky_relu":
        return f"tl.where({a} >= 0, {a}, {a} * {_literal(p[0])})"
    if op == "elu":
        return f"tl.where({a} > 0, {a}, {_literal(p[0])} * (tl.exp({a}) - 1.0))"
    if op == "softplus":
        beta, threshold = p
        return (
            f"tl.where({a} * {_literal(beta)} > {_literal(threshold)}, {a}, "
            f"tl.log(1.0 + tl.exp({a} * {_literal(beta)})) / {_literal(beta)})"
        )
    if op == "clamp":
        lo, hi = p
        text = a if lo is None else f"tl.maximum({a}, {_literal(lo)})"
        return text if hi is None else f"tl.minimum({text}, {_literal(hi)})"
    if op == "cast":
        if p[0] == "bool":
            return f"tl.where({a} != 0.0, 1.0, 0.0)"
        if p[0] == "bfloat16":
            return _round_to_bfloat16(a)
        return f"{a}.to(tl.float16).to(tl.float32)" if p[0] == "float16" else a
    if op == "where":  # the condition holds 1.0 / 0.0 (expr.py COMPARE)
        return f"tl.where({a} != 0.0, {args[1]}, {args[2]})"
    b = args[1] if len(args) > 1 else None
    if op in COMPARE:
        return f"tl.where({a} {COMPARE[op]} {b}, 1.0, 0.0)"
    binary = {"add": "+", "sub": "-", "mul": "*", "div": "/"}
    if op in binary:
        return f"{a} {binary[op]} {b}"
    if op in ("maximum", "minimum"):
        return f"tl.{op}({a}, {b})"
    if op == "pow":
        return _pow(a, step.args[1][1])
    if op == "batch_norm":
        mean, var, weight, bias = args[1:]
        return f"({a} - {mean}) * tl.rsqrt({var} + {_literal(p[0])}) * {weight} + {bias}"
    raise ValueError(f"no expression for step {op}")


def _round_to_bfloat16(a: str) -> str:
    """`a` rounded to the nearest bfloat16 (ties to even), as PyTorch rounds, kept in
    float32. Written out on the bits: Triton's interpreter truncates in
    `.to(tl.bfloat16)` (3173 of 6336 values differed from torch's), so a kernel
    verified on CPU would not be the kernel the GPU runs. NaN passes unchanged."""
    bits = f"{a}.to(tl.uint32, bitcast=True)"
    rounded = f"(({bits} + 0x7FFF + (({bits} >> 16) & 1)) & 0xFFFF0000)"
    return f"tl.where({a} != {a}, {a}, {rounded}.to(tl.float32, bitcast=True))"


def _pow(a: str, exponent: float) -> str:
    if exponent == int(exponent) and abs(exponent) <= 4:
        n = int(abs(exponent))
        product = " * ".join([a] * n) if n else "(a * 0.0 + 1.0)".replace("a", a)
        return f"1.0 / ({product})" if exponent < 0 else f"({product})"
    if exponent == 0.5:
        return f"tl.sqrt({a})"
    # torch.pow gives NaN for a negative base with a fractional exponent; so does exp(log()).
    return f"tl.exp({_literal(exponent)} * tl.log({a}))"


def as_3d(values, n: int, fill: int) -> tuple[int, int, int]:
    """A per-spatial-dim argument of an n-d op (an int, a 1-list or an n-list) as three
    values, front-padded with `fill`: one kernel then serves 1-D, 2-D and 3-D."""
    values = list(values) if isinstance(values, (list, tuple)) else [values] * n
    values = values * n if len(values) == 1 else values
    return tuple([fill] * (3 - n) + values)


# --- forward-side helpers ----------------------------------------------------


def leaf_expr(plan, name: str) -> str:
    """How forward() reaches a leaf: a local argument or the registered tensor."""
    if name in {i[0] for i in plan.inputs}:
        return name
    parts = name.split(".")
    if all(p.isidentifier() and not keyword.iskeyword(p) for p in parts):
        return "self." + name
    kind = {p[0]: p[3] for p in plan.params}[name]
    getter = "get_parameter" if kind == "parameter" else "get_buffer"
    return f"self.{getter}({name!r})"


def operand_tensor(plan, operand: Operand) -> str:
    return f"{leaf_expr(plan, operand.name)}.contiguous()"


def operand_launch_args(plan, indices: list[int]) -> str:
    return "".join(f"{operand_tensor(plan, plan.operands[i])}, " for i in indices)


def operand_params(indices: list[int]) -> str:
    return "".join(f"op{i}_ptr, " for i in indices)


def launch_options(config: dict) -> str:
    return f"num_warps={config['num_warps']}, num_stages={config.get('num_stages', 2)}"


def dot_precision(plan, config: dict) -> str:
    """The `input_precision` argument of an fp32 `tl.dot` (nothing for half precision).

    "ieee" is plain fp32 on the CUDA cores. "tf32x3" splits each fp32 operand
    into a TF32 high part and a TF32 remainder and sums three tensor-core
    products (the remainders' product is dropped), keeping about fp32's
    accuracy: NVIDIA CUTLASS's "3xTF32"; `tests/cpu/test_tf32x3_accuracy.py`
    measures it against float64 and the harness's fp32 criterion. Plain "tf32"
    (a 10-bit mantissa) only where the reference computes in TF32 itself
    (heuristics.fp32_precisions), with its operands rounded first
    (dot_operand); the harness rejects it anywhere else.
    """
    if plan.dtype != "float32":
        return ""
    return f', input_precision="{config.get("PRECISION", "ieee")}"'
