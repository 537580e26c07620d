"""Core-op readers for the planner: norms, losses, matmuls, convolutions, attention.

Each `*_head` reads one core op's arguments (ATen order, see graph.py) and
returns (family, attrs, prologue, in_shape, bias) for plan.py; `match_*`
recognise multi-op spellings (explicit RMS norm) before the generic walk.
"""

from __future__ import annotations

import math

from .expr import Step, Unsupported
from .graph import Ref, describe

_REDUCTION = {
    0: "none",
    1: "mean",
    2: "sum",
    "none": "none",
    "mean": "mean",
    "sum": "sum",
    "batchmean": "batchmean",
    "elementwise_mean": "mean",
}


def _copy_of(ctx, name: str, shape) -> tuple[Step, ...]:
    return (
        ctx.region(shape, None, name)
        if name not in ctx.leaves
        else (Step("copy", (_operand(ctx, name, shape),)),)
    )


def _operand(ctx, name, shape):
    from .expr import RegionBuilder

    return RegionBuilder(ctx.by_name, ctx.leaves, tuple(shape), None, ctx.operands).operand(name)


def _optional_leaf(ctx, arg) -> str | None:
    return ctx.leaf(arg) if isinstance(arg, Ref) else None


# --- norms -----------------------------------------------------------------


def norm_head(ctx, head):
    x = head.args[0]
    shape = ctx.shape_of(x)
    prologue = _copy_of(ctx, x.name, shape)
    numel = math.prod(shape)
    if head.kind in ("layer_norm", "rms_norm"):
        normalized = head.arg(1, "normalized_shape")
        width = math.prod(normalized)
        weight = _optional_leaf(ctx, head.arg(2, "weight"))
        if head.kind == "layer_norm":
            bias, eps, stats = (
                _optional_leaf(ctx, head.arg(3, "bias")),
                head.arg(4, "eps", 1e-5),
                "meanvar",
            )
        else:
            bias, eps, stats = None, head.arg(3, "eps"), "rms"
        if eps is None:  # torch.rms_norm's default: the dtype's machine epsilon
            eps = {
                "float32": 1.1920928955078125e-07,
                "float16": 0.0009765625,
                "bfloat16": 0.0078125,
            }[ctx.leaves[x.name]["dtype"] if x.name in ctx.leaves else "float32"]
        attrs = {
            "outer": numel // width,
            "R": width,
            "inner": 1,
            "stats": stats,
            "eps": float(eps),
            "weight": weight,
            "bias": bias,
            "affine": "row" if weight or bias else None,
        }
        return "norm", attrs, prologue, shape, None
    groups = int(head.arg(1, "num_groups"))
    channels = shape[1]
    spatial = math.prod(shape[2:])
    attrs = {
        "outer": shape[0] * groups,
        "R": channels // groups * spatial,
        "inner": 1,
        "stats": "meanvar",
        "eps": float(head.arg(4, "eps", 1e-5)),
        "weight": _optional_leaf(ctx, head.arg(2, "weight")),
        "bias": _optional_leaf(ctx, head.arg(3, "bias")),
        "affine": "channel",
        "groups": groups,
        "channels": channels,
        "spatial": spatial,
    }
    return "norm", attrs, prologue, shape, None


def instance_norm_head(ctx, head):
    """aten.instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
    momentum, eps, cudnn_enabled): with the input's statistics it is group norm with one
    channel per group, and the same per-channel affine."""
    if not head.arg(5, "use_input_stats", True):
        raise Unsupported(
            "instance norm from running statistics (track_running_stats in eval mode)"
        )
    x = head.args[0]
    shape = ctx.shape_of(x)
    channels, spatial = shape[1], math.prod(shape[2:])
    attrs = {
        "outer": shape[0] * channels,
        "R": spatial,
        "inner": 1,
        "stats": "meanvar",
        "eps": float(head.arg(7, "eps", 1e-5)),
        "weight": _optional_leaf(ctx, head.arg(1, "weight")),
        "bias": _optional_leaf(ctx, head.arg(2, "bias")),
        "groups": channels,
        "channels": channels,
        "spatial": spatial,
        "op": "instance_norm",
    }
    attrs["affine"] = "channel" if attrs["weight"] or attrs["bias"] else None
    return "norm", attrs, _copy_of(ctx, x.name, shape), shape, None


def _square_of(ctx, arg):
    """The leaf x when `arg` is x**2, x*x or square(x)."""
    op = ctx.by_name.get(arg.name) if isinstance(arg, Ref) else None
    if op is None:
        return None
    if op.kind == "pow" and op.arg(1) in (2, 2.0):
        return op.args[0]
    if op.kind == "mul" and op.args[0] == op.args[1]:
        return op.args[0]
    if op.kind == "square":
        return op.args[0]
    return None


def _same_value(ctx, a, b, depth: int = 8) -> bool:
    """Whether two arguments compute the same value: the same reference, or the same op
    on the same arguments (torch.export does not merge `exp(x - m)` written twice)."""
    if a == b:
        return True
    if not (isinstance(a, Ref) and isinstance(b, Ref)) or depth == 0:
        return False
    left, right = ctx.by_name.get(a.name), ctx.by_name.get(b.name)
    if left is None or right is None or left.kind != right.kind or left.kwargs != right.kwargs:
        return False
    return len(left.args) == len(right.args) and all(
        _same_value(ctx, x, y, depth - 1) for x, y in zip(left.args, right.args, strict=True)
    )


def _reduced_dim(op, rank: int) -> int | None:
    """The one dim a keepdim reduction reduces, or None."""
    dims = op.arg(1, "dim")
    dims = dims if isinstance(dims, list) else [dims]
    if len(dims) != 1 or not isinstance(dims[0], int) or not op.arg(2, "keepdim", False):
        return None
    return dims[0] % rank


def match_written_softmax(ctx):
    """exp(x - max(x, d, keepdim)) / sum(that, d, keepdim): softmax over d, written out
    as model code often does; one softmax kernel instead of two reductions and a pass."""
    out = ctx.by_name.get(ctx.output)
    if out is None or out.kind != "div" or not all(isinstance(a, Ref) for a in out.args[:2]):
        return None
    exp, total = (ctx.by_name.get(a.name) for a in out.args[:2])
    if exp is None or total is None or exp.kind != "exp" or total.kind != "sum":
        return None
    if not _same_value(ctx, total.args[0], Ref(exp.name)) or not isinstance(exp.args[0], Ref):
        return None
    shifted = ctx.by_name.get(exp.args[0].name)
    if (
        shifted is None
        or shifted.kind != "sub"
        or not all(isinstance(a, Ref) for a in shifted.args[:2])
    ):
        return None
    x, peak = shifted.args[0], ctx.by_name.get(shifted.args[1].name)
    if peak is None or peak.kind not in ("amax", "max") or peak.args[0] != x:
        return None
    shape = ctx.shape_of(x)
    dim = _reduced_dim(total, len(shape))
    if dim is None or _reduced_dim(peak, len(shape)) != dim:
        return None
    prologue = _copy_of(ctx, x.name, shape)
    return "softmax", "softmax", shape, {"dims": (dim,)}, prologue, ()


def match_reverse_scan(ctx):
    """flip(cumsum(flip(x, [d]), d), [d]) (and cumprod): a scan walked from the end of
    dim d, one kernel instead of two copies around it. The output must be the outer flip;
    pointwise work on x before the first flip is the scan's prologue."""
    outer = ctx.by_name.get(ctx.output)
    if outer is None or outer.kind != "flip" or not isinstance(outer.args[0], Ref):
        return None
    scan = ctx.by_name.get(outer.args[0].name)
    if scan is None or scan.kind not in ("cumsum", "cumprod") or not isinstance(scan.args[0], Ref):
        return None
    inner = ctx.by_name.get(scan.args[0].name)
    if inner is None or inner.kind != "flip" or not isinstance(inner.args[0], Ref):
        return None
    if scan.kwargs.get("dtype") is not None:
        return None
    shape = ctx.shape_of(inner.args[0])
    rank = len(shape)
    dim = scan.arg(1, "dim") % rank
    if any(sorted(d % rank for d in op.arg(1, "dims")) != [dim] for op in (outer, inner)):
        return None
    prologue = (
        ctx.region(shape, None, inner.args[0].name)
        if inner.args[0].name not in ctx.leaves
        else _copy_of(ctx, inner.args[0].name, shape)
    )
    attrs = {"dims": (dim,), "reverse": True}
    return "scan", scan.kind, shape, attrs, prologue, ()


def match_rms_norm(ctx):
    """x / sqrt(mean(x², dims, keepdim) + eps) or x * rsqrt(...), then any epilogue."""
    for op in ctx.ops:
        if op.kind not in ("div", "mul") or len(op.args) < 2 or not isinstance(op.args[1], Ref):
            continue
        x, denom = op.args[0], ctx.by_name.get(op.args[1].name)
        if not isinstance(x, Ref) or x.name not in ctx.leaves or denom is None:
            continue
        if (op.kind, denom.kind) not in (("div", "sqrt"), ("mul", "rsqrt")):
            continue
        added = ctx.by_name.get(denom.args[0].name) if isinstance(denom.args[0], Ref) else None
        if added is None or added.kind != "add" or isinstance(added.args[1], Ref):
            continue
        mean = ctx.by_name.get(added.args[0].name) if isinstance(added.args[0], Ref) else None
        if mean is None or mean.kind != "mean" or not mean.arg(2, "keepdim", False):
            continue
        if _square_of(ctx, mean.args[0]) != x:
            continue
        shape = tuple(ctx.leaves[x.name]["shape"])
        dims = mean.arg(1, "dim")
        dims = sorted(d % len(shape) for d in (dims if isinstance(dims, list) else [dims]))
        if dims != list(range(dims[0], dims[-1] + 1)):
            continue
        attrs = {
            "outer": math.prod(shape[: dims[0]]),
            "R": math.prod(shape[dims[0] : dims[-1] + 1]),
            "inner": math.prod(shape[dims[-1] + 1 :]),
            "stats": "rms",
            "eps": float(added.args[1]),
            "weight": None,
            "bias": None,
            "affine": None,
        }
        prologue = _copy_of(ctx, x.name, shape)
        if tuple(op.shape) != ctx.out_shape:
            raise Unsupported("RMS norm followed by a shape change")
        epilogue = ctx.region(ctx.out_shape, op.name, ctx.output)
        return "norm", "rms_norm", shape, attrs, prologue, epilogue
    return None


# --- losses ----------------------------------------------------------------


def loss_head(ctx, head):
    kind = head.kind
    a, b = head.args[0], ctx.leaf(head.args[1])
    a_shape, b_shape = ctx.shape_of(a), tuple(ctx.leaves[b]["shape"])
    prologue = _copy_of(ctx, a.name, a_shape)  # e.g. the torch.log in kl_div(log(p), q)
    attrs = {"b": b, "loss": kind}
    if kind == "cross_entropy":
        if len(a_shape) != 2 or b_shape != a_shape[:1] or ctx.leaves[b]["dtype"] != "int64":
            raise Unsupported("cross entropy needs [N, C] logits and [N] int64 class indices")
        if head.arg(2, "weight") is not None or float(head.arg(5, "label_smoothing", 0.0)) != 0.0:
            raise Unsupported("cross entropy with class weights or label smoothing")
        reduction = _REDUCTION.get(head.arg(3, "reduction", 1))
        attrs.update(
            ignore_index=int(head.arg(4, "ignore_index", -100)), rows=a_shape[0], classes=a_shape[1]
        )
    else:
        if a_shape != b_shape:
            raise Unsupported(f"{kind} of differently shaped tensors {a_shape} {b_shape}")
        reduction = _REDUCTION.get(head.arg(2, "reduction", 1))
        if kind == "l1_loss":  # smooth L1 with beta 0 is |a - b| (torch documents it so)
            attrs.update(loss="smooth_l1_loss", beta=0.0)
        elif kind == "smooth_l1_loss":
            attrs["beta"] = float(head.arg(3, "beta", 1.0))
        elif kind == "huber_loss":
            attrs["delta"] = float(head.arg(3, "delta", 1.0))
        elif kind == "kl_div":
            attrs["log_target"] = bool(head.arg(3, "log_target", False))
        attrs["numel"] = math.prod(a_shape)
    if reduction not in ("mean", "sum", "batchmean"):
        raise Unsupported(f"{kind} with reduction {reduction!r}")
    count = attrs.get("numel") if reduction == "mean" and kind != "cross_entropy" else None
    attrs["reduction"] = reduction
    attrs["scale"] = (
        (1.0 / count if count else 1.0) if reduction != "batchmean" else 1.0 / a_shape[0]
    )
    return "loss", attrs, prologue, a_shape, None


# --- matmul, linear, explicit attention ------------------------------------


def _matmul_operand(ctx, arg) -> tuple[str, bool]:
    """(leaf, transposed): transposes of the last two dims are read through strides."""
    if isinstance(arg, Ref) and arg.name in ctx.leaves:
        return arg.name, False
    op = ctx.by_name.get(arg.name) if isinstance(arg, Ref) else None
    if op is not None and isinstance(op.args[0], Ref) and op.args[0].name in ctx.leaves:
        rank = len(ctx.leaves[op.args[0].name]["shape"])
        if op.kind == "t" or (
            op.kind == "transpose"
            and rank >= 2
            and sorted(d % rank for d in op.args[1:3]) == [rank - 2, rank - 1]
        ):
            return op.args[0].name, True
        if op.kind == "permute":
            perm = [d % rank for d in op.arg(1, "dims")]
            if perm == list(range(rank - 2)) + [rank - 1, rank - 2]:
                return op.args[0].name, True
    raise Unsupported(
        f"the matmul operand {describe(arg)} is computed inside forward, "
        "not a model input or parameter"
    )


def _logical_shape(ctx, name, transposed) -> tuple:
    shape = tuple(ctx.leaves[name]["shape"])
    return shape[:-2] + (shape[-1], shape[-2]) if transposed else shape


def matmul_head(ctx, head):
    if head.kind == "linear":
        a = ctx.leaf(head.args[0])
        weight = ctx.leaf(head.arg(1, "weight"))
        bias = _optional_leaf(ctx, head.arg(2, "bias"))
        n, k = ctx.leaves[weight]["shape"]
        m = math.prod(ctx.leaves[a]["shape"]) // k
        attrs = {
            "a": a,
            "b": weight,
            "a_t": False,
            "b_t": True,
            "batch": 1,
            "M": m,
            "N": n,
            "K": k,
            "op": "linear",
            "bias_name": bias,
        }
        return "matmul", attrs, (), tuple(ctx.leaves[a]["shape"]), (bias, (n,)) if bias else None
    first = head.args[0]
    if (
        isinstance(first, Ref)
        and first.name in ctx.by_name
        and ctx.by_name[first.name].kind == "softmax"
    ):
        return _explicit_attention(ctx, head)
    (a, a_t), (b, b_t) = _matmul_operand(ctx, head.args[0]), _matmul_operand(ctx, head.args[1])
    a_shape, b_shape = _logical_shape(ctx, a, a_t), _logical_shape(ctx, b, b_t)
    if len(b_shape) == 2 and len(a_shape) >= 2 and not a_t:
        batch, m = 1, math.prod(a_shape[:-1])  # [..., M, K] @ [K, N]: fold batch into M
    elif len(a_shape) == len(b_shape) >= 2 and a_shape[:-2] == b_shape[:-2]:
        batch, m = math.prod(a_shape[:-2]), a_shape[-2]
    else:
        raise Unsupported(f"matmul of {a_shape} and {b_shape}")
    if a_shape[-1] != b_shape[-2]:
        raise Unsupported("matmul inner dims differ")
    attrs = {
        "a": a,
        "b": b,
        "a_t": a_t,
        "b_t": b_t,
        "batch": batch,
        "M": m,
        "N": b_shape[-1],
        "K": a_shape[-1],
        "op": "matmul",
        "bias_name": None,
    }
    return "matmul", attrs, (), a_shape, None


def _explicit_attention(ctx, head):
    """softmax(q @ k^T * scale, dim=-1) @ v, with the scale as a mul/div by a constant."""
    probs = ctx.by_name[head.args[0].name]
    scores = ctx.by_name.get(probs.args[0].name) if isinstance(probs.args[0], Ref) else None
    scale = None
    if scores is not None and scores.kind in ("mul", "div") and not isinstance(scores.args[1], Ref):
        constant = float(scores.args[1])
        scale = constant if scores.kind == "mul" else 1.0 / constant
        scores = ctx.by_name.get(scores.args[0].name) if isinstance(scores.args[0], Ref) else None
    if scores is None or scores.kind != "matmul":
        raise Unsupported("softmax(...) @ v without a q @ k^T score matmul")
    rank = len(scores.shape)
    if probs.arg(1, "dim") % rank != rank - 1:
        raise Unsupported("attention softmax not over the key dim")
    q, q_t = _matmul_operand(ctx, scores.args[0])
    k, k_t = _matmul_operand(ctx, scores.args[1])
    v, v_t = _matmul_operand(ctx, head.args[1])
    if q_t or not k_t or v_t:
        raise Unsupported("attention operands in an unexpected layout")
    return _attention_attrs(ctx, q, k, v, scale, False)


def _attention_attrs(ctx, q, k, v, scale, causal):
    q_shape, k_shape, v_shape = (tuple(ctx.leaves[n]["shape"]) for n in (q, k, v))
    if (
        not (q_shape[:-2] == k_shape[:-2] == v_shape[:-2])
        or k_shape[-2] != v_shape[-2]
        or q_shape[-1] != k_shape[-1]
    ):
        raise Unsupported(f"attention shapes {q_shape} {k_shape} {v_shape}")
    head_dim = q_shape[-1]
    attrs = {
        "q": q,
        "k": k,
        "v": v,
        "batch": math.prod(q_shape[:-2]),
        "L": q_shape[-2],
        "S": k_shape[-2],
        "D": head_dim,
        "Dv": v_shape[-1],
        "causal": bool(causal),
        "scale": float(scale) if scale is not None else 1.0 / math.sqrt(head_dim),
        "op": "attention",
    }
    return "attention", attrs, (), q_shape, None


def sdpa_head(ctx, head):
    q, k, v = (ctx.leaf(head.args[i]) for i in range(3))
    if head.arg(3, "attn_mask") is not None or float(head.arg(4, "dropout_p", 0.0)) != 0.0:
        raise Unsupported("attention with a mask or dropout")
    if head.kwargs.get("enable_gqa"):
        raise Unsupported("grouped-query attention")
    return _attention_attrs(ctx, q, k, v, head.arg(6, "scale"), head.arg(5, "is_causal", False))


# --- convolutions -----------------------------------------------------------


def conv_head(ctx, head):
    x = ctx.leaf(head.args[0])
    weight = ctx.leaf(head.arg(1, "weight"))
    bias = _optional_leaf(ctx, head.arg(2, "bias"))
    if head.kwargs.get("padding_mode", "zeros") != "zeros":
        raise Unsupported("convolution padding_mode other than zeros")
    spatial = len(ctx.leaves[weight]["shape"]) - 2
    transposed = head.kind.startswith("conv_transpose")
    if transposed:  # (input, weight, bias, stride, padding, output_padding, groups, dilation)
        names = ("stride", "padding", "output_padding", "groups", "dilation")
        defaults = (1, 0, 0, 1, 1)
    else:  # (input, weight, bias, stride, padding, dilation, groups)
        names = ("stride", "padding", "dilation", "groups")
        defaults = (1, 0, 1, 1)
    attrs = {
        name: head.arg(3 + i, name, default)
        for i, (name, default) in enumerate(zip(names, defaults))
    }
    attrs = {k: tuple(v) if isinstance(v, list) else v for k, v in attrs.items()}
    attrs.update(
        x=x,
        weight=weight,
        op=f"conv{'_transpose' if transposed else ''}{spatial}d",
        weight_shape=tuple(ctx.leaves[weight]["shape"]),
    )
    channels = ctx.out_shape[1]
    bias_info = (bias, (channels,) + (1,) * spatial) if bias else None
    return "conv", attrs, (), tuple(ctx.leaves[x]["shape"]), bias_info


# --- pooling ------------------------------------------------------------------

POOLS = {
    **{f"max_pool{n}d": ("max", n) for n in (1, 2, 3)},
    **{f"avg_pool{n}d": ("avg", n) for n in (1, 2, 3)},
    **{f"adaptive_avg_pool{n}d": ("adaptive_avg", n) for n in (1, 2, 3)},
}


def _per_dim(value, n: int, default) -> tuple:
    """A pooling argument as n ints: an int, a 1-list or an n-list (empty: the default)."""
    if value is None or value == []:
        value = default
    if isinstance(value, (list, tuple)):
        value = list(value)
        return tuple(value * n if len(value) == 1 else value)
    return (value,) * n


def pool_head(ctx, head):
    """aten.max_poolNd(x, kernel, stride, padding, dilation, ceil_mode),
    aten.avg_poolNd(x, kernel, stride, padding, ceil_mode, count_include_pad,
    divisor_override) and aten.adaptive_avg_poolNd(x, output_size)."""
    kind, n = POOLS[head.kind]
    x = head.args[0]
    shape = ctx.shape_of(x)
    if len(shape) < n + 1 or head.shape is None:
        raise Unsupported(f"`{head.kind}` of a {len(shape)}-d input")
    attrs = {
        "pool": kind,
        "spatial": n,
        "kernel": (1,) * n,
        "stride": (1,) * n,
        "padding": (0,) * n,
        "dilation": (1,) * n,
        "count_include_pad": True,
        "divisor_override": None,
        "op": head.kind,
    }
    if kind != "adaptive_avg":
        kernel = _per_dim(head.arg(1, "kernel_size"), n, None)
        attrs.update(
            kernel=kernel,
            stride=_per_dim(head.arg(2, "stride"), n, list(kernel)),
            padding=_per_dim(head.arg(3, "padding", 0), n, 0),
        )
        if kind == "max":
            attrs["dilation"] = _per_dim(head.arg(4, "dilation", 1), n, 1)
        else:
            attrs["count_include_pad"] = bool(head.arg(5, "count_include_pad", True))
            attrs["divisor_override"] = head.arg(6, "divisor_override", None)
    if head.dtype not in ("float32", "float16", "bfloat16"):
        raise Unsupported(f"`{head.kind}` of {head.dtype}")
    return "pool", attrs, _copy_of(ctx, x.name, shape), shape, None
