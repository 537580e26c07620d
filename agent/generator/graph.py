"""Read the harness's captured graph (harness/capture.py) as canonical ops.

The capture spells one op several ways ("aten.relu", "torch.relu", "F.relu",
"method:relu", "call_module:ReLU"); the planner wants one. This module maps
every spelling to a canonical kind with its arguments in ATen order, resolves
tuple outputs (`max.dim` → values / indices) and drops no-op aliases
(`broadcast_tensors` of equal shapes, `contiguous`, eval-mode dropout).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Ref:
    """A tensor argument: a forward input, a parameter/buffer, or another op."""

    name: str


@dataclass
class Op:
    name: str
    kind: str  # canonical kind, e.g. "relu", "linear", "softmax", "sum"
    args: list  # Ref or constants, ATen positional order
    kwargs: dict
    shape: tuple | None
    dtype: str | None
    # (kind, args) before concat.py fused it (a stretch, an interleave): restored where a
    # region cannot compute it after all (partition.py `_Graph.unfuse`)
    unfused: tuple | None = None

    def arg(self, index: int, key: str | None = None, default: Any = None) -> Any:
        if key is not None and key in self.kwargs:
            return self.kwargs[key]
        return self.args[index] if index < len(self.args) else default

    def tensor_args(self) -> list[Ref]:
        """Every tensor argument, including those inside lists (`torch.cat([a, b])`)."""

        def refs(value) -> list[Ref]:
            if isinstance(value, Ref):
                return [value]
            if isinstance(value, (list, tuple)):
                return [r for item in value for r in refs(item)]
            return []

        return refs(list(self.args)) + refs(list(self.kwargs.values()))


# Several spellings of one kind; the value is the canonical kind.
_ALIASES = {
    "truediv": "div",
    "true_divide": "div",
    "divide": "div",
    "multiply": "mul",
    "subtract": "sub",
    "clip": "clamp",
    "negative": "neg",
    "matmul": "matmul",
    "mm": "matmul",
    "bmm": "matmul",
    "scaled_dot_product_attention": "sdpa",
    "cross_entropy_loss": "cross_entropy",
    "cross_entropy": "cross_entropy",
    "_native_batch_norm_legit_no_training": "batch_norm_legit",
    "numpy_T": "t",
    "swapaxes": "transpose",
    "swapdims": "transpose",
    "conv1d": "conv",
    "conv2d": "conv",
    "conv3d": "conv",
    "square": "square",
    "concat": "cat",
    "concatenate": "cat",
}

# fx call_module classes → (canonical kind, how to build ATen-order args).
_MODULE_KINDS = {
    "ReLU": "relu",
    "GELU": "gelu",
    "SiLU": "silu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "LeakyReLU": "leaky_relu",
    "Hardtanh": "hardtanh",
    "ReLU6": "relu6",
    "ELU": "elu",
    "Hardswish": "hardswish",
    "Softmax": "softmax",
    "LogSoftmax": "log_softmax",
    "Linear": "linear",
    "Conv1d": "conv",
    "Conv2d": "conv",
    "Conv3d": "conv",
    "LayerNorm": "layer_norm",
    "GroupNorm": "group_norm",
    "BatchNorm1d": "batch_norm",
    "BatchNorm2d": "batch_norm",
    "BatchNorm3d": "batch_norm",
    "Identity": "identity",
    "Dropout": "identity",
    "MSELoss": "mse_loss",
    "SmoothL1Loss": "smooth_l1_loss",
    "HuberLoss": "huber_loss",
    "CrossEntropyLoss": "cross_entropy",
    "KLDivLoss": "kl_div",
}


# Ops that return their input's values: the planner reads straight through them.
# (`lift_fresh_copy` is how torch.export spells a tensor made inside forward.)
_NO_OPS = {
    "identity",
    "contiguous",
    "clone",
    "dropout",
    "alias",
    "detach",
    "detach_",
    "lift_fresh_copy",
    "lift_fresh",
}


def _random_dropout(op: Op) -> bool:
    """aten.dropout(input, p, train) that zeroes elements: training mode, p > 0."""
    p, train = op.arg(1, "p", 0.5), op.arg(2, "train", True)
    if op.kwargs.get("training") is not None:
        train = op.kwargs["training"]
    return bool(train) and isinstance(p, (int, float)) and p > 0


def describe(value) -> str:
    """A graph value as a user reads it: `relu_1`, not Ref(name='relu_1')."""
    return f"`{value.name}`" if isinstance(value, Ref) else repr(value)


def canonical_name(op_name: str) -> str:
    """'aten.add.Tensor' → 'add'; 'F.gelu' → 'gelu'; 'method:sum' → 'sum'."""
    name = op_name.split(":", 1)[1] if op_name.startswith("method:") else op_name
    parts = name.split(".")
    if parts[0] == "aten":
        name = parts[1]
    else:
        name = parts[-1]
    name = _out_of_place_name(name)
    return _ALIASES.get(name, name)


def _out_of_place_name(name: str) -> str:
    """`add_` -> `add`: an in-place op plans as the op it updates with. What the reference
    wrote into its own inputs is no part of a candidate's answer (the harness rejects a
    candidate that writes into its inputs; the reference runs on a copy)."""
    if name.endswith("_") and not name.endswith("__") and not name.startswith("_"):
        return name[:-1]
    return name


def out_of_place(target: str) -> str:
    """The captured call `target` without its in-place write, for a PyTorch stage of a
    candidate: `aten.add_.Tensor` -> `aten.add.Tensor`, `method:mul_` -> `method:mul`
    (ATen has the functional form of each in-place op; the methods below have both)."""
    if target.startswith("aten."):
        parts = target.split(".")
        parts[1] = _out_of_place_name(parts[1])
        return ".".join(parts)
    if target.startswith("method:"):
        name = target.split(":", 1)[1]
        if _out_of_place_name(name) in _METHODS_WITH_BOTH_FORMS:
            return "method:" + _out_of_place_name(name)
    return target


_METHODS_WITH_BOTH_FORMS = frozenset(
    "abs add addcdiv addcmul clamp clamp_max clamp_min div exp floor "
    "index_add index_copy index_fill index_put lerp log masked_fill masked_scatter mul neg "
    "pow relu round rsqrt scatter scatter_add scatter_reduce sigmoid sqrt sub tanh tril triu".split()
)


def _to_value(value):
    if isinstance(value, dict) and set(value) == {"ref"}:
        return Ref(value["ref"])
    if isinstance(value, list):
        return [_to_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_value(v) for k, v in value.items()}
    return value


def _module_op(node: dict, args: list, kwargs: dict) -> tuple[str, list, dict]:
    """Rewrite an fx call_module node in ATen argument order."""
    module = node.get("module") or {}
    cls = node["op"].split(":", 1)[1]
    kind = _MODULE_KINDS.get(cls, f"module:{cls}")
    params = {k: Ref(v) for k, v in (module.get("params") or {}).items()}
    buffers = {k: Ref(v) for k, v in (module.get("buffers") or {}).items()}
    x = args[0] if args else None
    if kind == "linear":
        return kind, [x, params.get("weight"), params.get("bias")], {}
    if kind == "conv":
        return (
            kind,
            [
                x,
                params.get("weight"),
                params.get("bias"),
                module.get("stride"),
                module.get("padding"),
                module.get("dilation"),
                module.get("groups"),
            ],
            {"padding_mode": module.get("padding_mode", "zeros")},
        )
    if kind == "layer_norm":
        return (
            kind,
            [
                x,
                module.get("normalized_shape"),
                params.get("weight"),
                params.get("bias"),
                module.get("eps"),
            ],
            {},
        )
    if kind == "group_norm":
        return (
            kind,
            [
                x,
                module.get("num_groups"),
                params.get("weight"),
                params.get("bias"),
                module.get("eps"),
            ],
            {},
        )
    if kind == "batch_norm":
        training = bool(module.get("training")) or not module.get("track_running_stats", True)
        return (
            kind,
            [
                x,
                params.get("weight"),
                params.get("bias"),
                buffers.get("running_mean"),
                buffers.get("running_var"),
                training,
                module.get("momentum"),
                module.get("eps"),
            ],
            {},
        )
    if kind in ("softmax", "log_softmax"):
        return kind, [x, module.get("dim")], {}
    if kind == "gelu":
        return kind, [x], {"approximate": module.get("approximate", "none")}
    if kind == "leaky_relu":
        return kind, [x, module.get("negative_slope", 0.01)], {}
    if kind == "hardtanh":
        return kind, [x, module.get("min_val", -1.0), module.get("max_val", 1.0)], {}
    if kind in ("mse_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "kl_div"):
        extra = {
            k: module[k]
            for k in ("reduction", "beta", "delta", "ignore_index", "label_smoothing", "log_target")
            if k in module
        }
        return kind, list(args), extra
    return kind, list(args), kwargs


def canonical_ops(graph: dict) -> tuple[list[Op], dict[str, str]]:
    """Canonical ops in graph order, plus an alias map (op name → the name it equals)."""
    ops: list[Op] = []
    alias: dict[str, str] = {}
    tuples: dict[str, Op] = {}
    dtypes = {e["name"]: e.get("dtype") for e in graph.get("inputs", []) + graph.get("params", [])}
    for node in graph.get("nodes", []):
        dtypes[node["name"]] = node.get("dtype")
        args = _to_value(node.get("args", []))
        kwargs = _to_value(node.get("kwargs", {}))
        if node["op"].startswith("call_module:"):
            kind, args, kwargs = _module_op(node, args, kwargs)
        else:
            kind = canonical_name(node["op"])
        args = [Ref(alias.get(a.name, a.name)) if isinstance(a, Ref) else a for a in args]
        shape = tuple(node["shape"]) if node.get("shape") is not None else None
        op = Op(node["name"], kind, args, kwargs, shape, node.get("dtype"))
        if kind == "dropout" and _random_dropout(op):
            kind = op.kind = "random_dropout"  # not the identity: see partition.py
        if kind in _NO_OPS and args and isinstance(args[0], Ref):
            alias[op.name] = args[0].name
            continue
        if (
            kind == "to"
            and args
            and isinstance(args[0], Ref)
            and op.dtype is not None
            and dtypes.get(args[0].name) == op.dtype
        ):
            # `.float()` / `.to(torch.float32)` of a float32 tensor (Liger's RMSNorm reference
            # casts its input up before it squares it): the same values, read straight through
            alias[op.name] = args[0].name
            continue
        if kind == "broadcast_tensors":
            tuples[op.name] = op
            continue
        if "outputs" in node:
            # several results (max/min's values and indices, topk, var_mean), each read
            # through getitem
            tuples[op.name] = op
            continue
        if kind in ("getitem",) and args and isinstance(args[0], Ref) and args[0].name in tuples:
            source = tuples[args[0].name]
            index = args[1]
            if source.kind == "broadcast_tensors":
                members = source.args[0]
                member = members[index] if isinstance(members, list) else None
                if isinstance(member, Ref):
                    alias[op.name] = member.name  # equal shapes only; checked by the planner
                    continue
            elif source.kind in ("max", "min"):
                kind = source.kind if index == 0 else "arg" + source.kind
                op = Op(
                    op.name, kind, list(source.args), dict(source.kwargs), shape, node.get("dtype")
                )
            else:  # one result of an op no template has: PyTorch's op, indexed (partition.py)
                kind = f"{source.kind}[{index}]"
                op = Op(
                    op.name, kind, list(source.args), dict(source.kwargs), shape, node.get("dtype")
                )
        ops.append(op)
    return ops, alias
