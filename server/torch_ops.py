"""Which calls are PyTorch ops worth a kernel.

The tables come from PyTorch's `torch` and `torch.Tensor` reference pages:
allocation and bookkeeping calls are left out, the pointwise, reduction,
normalisation and linear-algebra entries kept.
"""

from __future__ import annotations

from tree_sitter import Node

from .pysource import dotted, resolve, text_of

# fmt: off
# Calls that only allocate or describe tensors: nothing to optimise.
CREATION_OPS = frozenset(
    ["empty", "empty_like", "zeros", "zeros_like", "ones", "ones_like", "full", "full_like", "rand", "rand_like", "randn", "randn_like", "randint", "randint_like", "arange", "linspace", "tensor", "as_tensor", "from_numpy", "manual_seed", "no_grad", "device", "dtype", "cuda", "is_tensor", "compile", "jit", "Size", "Generator", "set_grad_enabled", "inference_mode", "get_default_dtype", "set_default_dtype", "save", "load"]
)

# Tensor methods worth a kernel (view, size, contiguous, to, ... are not).
TENSOR_METHODS = frozenset(
    ["abs", "add", "addmm", "amax", "amin", "argmax", "argmin", "baddbmm", "bmm", "clamp", "clamp_min", "clamp_max", "cos", "cumsum", "div", "exp", "exp2", "expm1", "gelu", "log", "log1p", "log_softmax", "logsumexp", "masked_fill", "matmul", "max", "mean", "min", "mm", "mul", "neg", "norm", "pow", "prod", "relu", "rsqrt", "sigmoid", "silu", "sin", "softmax", "sqrt", "square", "std", "sub", "sum", "tanh", "var", "where"]
)
# fmt: on


def torch_op_name(call: Node, aliases: dict[str, str]) -> str | None:
    """The op a call invokes, if it is a PyTorch op worth optimising."""
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "attribute":
        return None
    name = dotted(fn)
    if name is not None:
        resolved = resolve(name, aliases)
        if name.split(".")[0] == "F" and "F" not in aliases:
            resolved = "torch.nn.functional." + name.split(".", 1)[1]
        if resolved.startswith("torch."):
            last = resolved.rsplit(".", 1)[1]
            if (
                last in CREATION_OPS
                or resolved.startswith(("torch.nn.", "torch.cuda."))
                and not (resolved.startswith("torch.nn.functional."))
            ):
                return None
            shown = name if name.startswith(("torch.", "F.")) else resolved
            return shown
        if name.split(".")[0] in aliases:
            return None  # some other module's function (triton, numpy, ...)
    attr = fn.child_by_field_name("attribute")
    method = text_of(attr) if attr else ""
    if method in TENSOR_METHODS:
        return f"Tensor.{method}"
    return None
