"""Describe a reference model's forward as a JSON graph for the embedded generator.

Worker-side: runs next to the problem, may import torch, never imports agent/.
The generator pattern-matches families on this description, so it keeps what a
template needs (normalised op names, constant arguments, shapes, dtypes,
module constructor attributes, state_dict names) and nothing torch-specific.

torch.export is tried first because its ATen graph spells every op one way
(`aten.linear`, `aten.softmax.int`); torch.fx symbolic tracing is the fallback
for models export cannot handle. Neither path raises: whatever cannot be
described is reported under "unsupported".
"""

from __future__ import annotations

import inspect
import operator
from typing import Any

import torch

_OPERATOR_NAMES = {
    operator.add: "operator.add",
    operator.sub: "operator.sub",
    operator.mul: "operator.mul",
    operator.truediv: "operator.truediv",
    operator.pow: "operator.pow",
    operator.neg: "operator.neg",
    operator.getitem: "operator.getitem",
    operator.matmul: "operator.matmul",
}

# Constructor attributes worth keeping for call_module nodes (fx path).
_MODULE_ATTRS = (
    "in_features",
    "out_features",
    "in_channels",
    "out_channels",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "groups",
    "padding_mode",
    "output_padding",
    "eps",
    "momentum",
    "affine",
    "track_running_stats",
    "normalized_shape",
    "elementwise_affine",
    "num_groups",
    "num_channels",
    "num_features",
    "negative_slope",
    "min_val",
    "max_val",
    "approximate",
    "dim",
    "beta",
    "delta",
    "reduction",
    "ignore_index",
    "label_smoothing",
    "log_target",
    "inplace",
    "training",
)


def capture_graph(model: torch.nn.Module, inputs: list) -> dict:
    """Return the JSON description of `model.forward(*inputs)`; never raises."""
    base = _describe_model(model, inputs)
    export_error = None
    try:
        names = [entry["name"] for entry in base["inputs"]]
        captured = _capture_export(model, inputs, names)
        constants = captured.pop("constants", [])
        return {**base, **captured, "params": base["params"] + constants}
    except Exception as error:  # noqa: BLE001 -- export refuses many models; fx may still work
        export_error = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    try:
        graph = {**base, **_capture_fx(model, inputs)}
        graph["export_error"] = export_error
        return graph
    except Exception as error:  # noqa: BLE001 -- capture must never raise
        fx_error = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        return {
            **base,
            "capture": None,
            "nodes": [],
            "outputs": [],
            "unsupported": f"export failed ({export_error}); fx failed ({fx_error})",
        }


def _describe_model(model: torch.nn.Module, inputs: list) -> dict:
    forward_names = _signature_names(model.forward)
    described_inputs = []
    for index, value in enumerate(inputs):
        name = forward_names[index] if index < len(forward_names) else f"arg{index}"
        described_inputs.append({"name": name, **_tensor_meta(value)})
    params = [
        {"name": name, **_tensor_meta(value), "kind": "parameter"}
        for name, value in model.named_parameters()
    ]
    params += [
        {"name": name, **_tensor_meta(value), "kind": "buffer"}
        for name, value in model.named_buffers()
    ]
    return {
        "model": {
            "class": type(model).__name__,
            "init_params": _init_params(type(model)),
            "forward_args": forward_names,
            "training": bool(model.training),
        },
        "inputs": described_inputs,
        "params": params,
    }


def _signature_names(function) -> list[str]:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _init_params(cls) -> list[dict] | None:
    """The constructor's parameters, so a candidate can declare the same signature.

    None when a default cannot be written back as Python source.
    """
    try:
        parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    except (TypeError, ValueError):
        return None
    described = []
    for p in parameters:
        entry: dict[str, Any] = {"name": p.name, "kind": p.kind.name}
        if p.default is not inspect.Parameter.empty:
            text = repr(p.default)
            if not _is_literal(text):
                return None
            entry["default"] = text
        described.append(entry)
    return described


def _is_literal(text: str) -> bool:
    import ast

    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return False
    return True


def _tensor_meta(value) -> dict:
    if isinstance(value, torch.Tensor):
        return {"shape": list(value.shape), "dtype": str(value.dtype).replace("torch.", "")}
    return {"shape": None, "dtype": type(value).__name__, "value": _constant(value)}


def _constant(value):
    """A JSON-able stand-in for a non-tensor argument."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_constant(v) for v in value]
    if isinstance(value, torch.dtype):
        return {"dtype": str(value).replace("torch.", "")}
    if isinstance(value, torch.device):
        return {"device": str(value)}
    if isinstance(value, torch.memory_format):
        return {"memory_format": str(value)}
    if isinstance(value, torch.Size):
        return list(value)
    return {"repr": repr(value)}


def _node_meta(node) -> dict:
    value = node.meta.get("val", node.meta.get("tensor_meta"))
    if isinstance(value, (list, tuple)):
        return {
            "shape": None,
            "dtype": None,
            "outputs": [_single_meta(v) for v in value],
        }
    return _single_meta(value)


def _single_meta(value) -> dict:
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    return {
        "shape": [int(s) for s in shape] if shape is not None else None,
        "dtype": str(dtype).replace("torch.", "") if dtype is not None else None,
    }


def _args_to_json(value, rename: dict[str, str]):
    if isinstance(value, torch.fx.Node):
        return {"ref": rename.get(value.name, value.name)}
    if isinstance(value, (list, tuple)):
        return [_args_to_json(v, rename) for v in value]
    if isinstance(value, dict):
        return {k: _args_to_json(v, rename) for k, v in value.items()}
    return _constant(value)


def _target_name(node) -> str:
    target = node.target
    if node.op == "call_method":
        return f"method:{target}"
    if isinstance(target, torch._ops.OpOverload):
        name = str(target)  # aten.add.Tensor
        return name.removesuffix(".default")
    if target in _OPERATOR_NAMES:
        return _OPERATOR_NAMES[target]
    module = getattr(target, "__module__", "") or ""
    name = getattr(target, "__name__", str(target))
    if module.startswith("torch.nn.functional"):
        return f"F.{name}"
    if module.startswith("torch") or getattr(torch, name, None) is target:
        return f"torch.{name}"
    return f"{module}.{name}"


# A tensor the forward makes from literals (`torch.tensor([0.299, 0.587, 0.114])`) is
# written into the candidate by value up to this many elements.
MAX_CONSTANT_ELEMENTS = 4096


def _capture_export(model: torch.nn.Module, inputs: list, names: list[str]) -> dict:
    exported = torch.export.export(model, tuple(inputs))
    signature = exported.graph_signature
    rename = dict(signature.inputs_to_parameters)
    rename.update(signature.inputs_to_buffers)
    # torch.export names its placeholders itself (`X` becomes `x`, `A` becomes `a`): the
    # graph speaks of forward's own argument names, which the candidate's forward takes.
    user_inputs = [str(i) for i in signature.user_inputs]
    rename.update({placeholder: name for placeholder, name in zip(user_inputs, names)})
    lifted_constants = dict(getattr(signature, "inputs_to_lifted_tensor_constants", {}) or {})
    nodes, outputs, problems, constants = [], [], [], []
    for node in exported.graph.nodes:
        if node.op == "placeholder":
            if node.name in lifted_constants:
                value = exported.constants.get(lifted_constants[node.name])
                if isinstance(value, torch.Tensor) and value.numel() <= MAX_CONSTANT_ELEMENTS:
                    constants.append(
                        {
                            **_tensor_meta(value),
                            "name": node.name,
                            "kind": "constant",
                            "value": value.tolist(),
                        }
                    )
                else:
                    problems.append(
                        f"a tensor constant made inside forward ({node.name}) "
                        f"larger than {MAX_CONSTANT_ELEMENTS} elements"
                    )
            continue
        if node.op == "output":
            outputs = [_args_to_json(a, rename) for a in node.args[0]]
            continue
        nodes.append(_describe_node(node, _target_name(node), rename))
    graph: dict[str, Any] = {
        "capture": "export",
        "nodes": nodes,
        "outputs": [o["ref"] if isinstance(o, dict) and "ref" in o else o for o in outputs],
    }
    if problems:
        graph["unsupported"] = "; ".join(problems)
    if constants:
        graph["constants"] = constants
    return graph


def _capture_fx(model: torch.nn.Module, inputs: list) -> dict:
    from torch.fx.passes.shape_prop import ShapeProp

    traced = torch.fx.symbolic_trace(model)
    ShapeProp(traced).propagate(*inputs)
    modules = dict(traced.named_modules())
    rename = {n.name: str(n.target) for n in traced.graph.nodes if n.op == "get_attr"}
    nodes, outputs = [], []
    for node in traced.graph.nodes:
        if node.op in ("placeholder", "get_attr"):
            continue
        if node.op == "output":
            result = node.args[0]
            result = result if isinstance(result, (list, tuple)) else [result]
            outputs = [_args_to_json(a, rename) for a in result]
            continue
        if node.op == "call_module":
            module = modules[node.target]
            described = _describe_node(node, f"call_module:{type(module).__name__}", rename)
            described["module"] = _module_attrs(node.target, module)
            nodes.append(described)
        else:
            nodes.append(_describe_node(node, _target_name(node), rename))
    return {
        "capture": "fx",
        "nodes": nodes,
        "outputs": [o["ref"] if isinstance(o, dict) and "ref" in o else o for o in outputs],
    }


def _describe_node(node, op_name: str, rename: dict[str, str]) -> dict:
    meta = node.meta.get("tensor_meta")
    described = {
        "name": node.name,
        "op": op_name,
        "args": _args_to_json(list(node.args), rename),
        "kwargs": _args_to_json(dict(node.kwargs), rename),
    }
    if "val" in node.meta:
        described.update(_node_meta(node))
    elif meta is not None and hasattr(meta, "shape"):
        described.update(_single_meta(meta))
    elif isinstance(meta, (list, tuple)):
        described.update({"shape": None, "dtype": None, "outputs": [_single_meta(m) for m in meta]})
    else:
        described.update({"shape": None, "dtype": None})
    return described


def _module_attrs(path: str, module: torch.nn.Module) -> dict:
    attrs: dict[str, Any] = {"path": path, "class": type(module).__name__}
    for attr in _MODULE_ATTRS:
        if hasattr(module, attr):
            attrs[attr] = _constant(getattr(module, attr))
    attrs["params"] = {name: f"{path}.{name}" for name, _ in module.named_parameters(recurse=False)}
    attrs["buffers"] = {name: f"{path}.{name}" for name, _ in module.named_buffers(recurse=False)}
    return attrs
