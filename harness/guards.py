"""Worker side: the dynamic anti-cheat checks.

Each guard exists because a published system was fooled by the trick it
catches (KernelBench and METR's reports of reward hacking in kernel search:
reference fallbacks, timer patches, async work on side streams, precision
downcasts). A guard returns human-readable reasons; empty means clean.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any, NamedTuple

import torch
from torch.overrides import TorchFunctionMode, resolve_name
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

_LOW_PRECISION = (torch.float16, torch.bfloat16)


def _protected_objects() -> dict[str, Any]:
    """Functions whose replacement would fool the clocks or the comparisons."""
    objects: dict[str, Any] = {
        "time.perf_counter": time.perf_counter,
        "time.time": time.time,
        "time.monotonic": time.monotonic,
        "torch.allclose": torch.allclose,
        "torch.isclose": torch.isclose,
        "torch.equal": torch.equal,
        "torch.testing.assert_close": torch.testing.assert_close,
        "torch.Tensor.__eq__": torch.Tensor.__eq__,
        "torch.Tensor.clone": torch.Tensor.clone,
        "torch.Tensor.abs": torch.Tensor.abs,
        "torch.Tensor.max": torch.Tensor.max,
        "torch.manual_seed": torch.manual_seed,
        "torch.cuda.synchronize": torch.cuda.synchronize,
        "torch.cuda.Event": torch.cuda.Event,
        "torch.cuda.Event.record": torch.cuda.Event.record,
        "torch.cuda.Event.elapsed_time": torch.cuda.Event.elapsed_time,
        "torch.nn.Module.__call__": torch.nn.Module.__call__,
    }
    from kernelwright.harness import distributions, timing, verify  # worker-side modules only

    for module in (distributions, timing, verify):
        for name, value in vars(module).items():
            if callable(value) and not name.startswith("__"):
                objects[f"{module.__name__}.{name}"] = value
    return objects


class PatchGuard:
    """Snapshots protected functions; `changed()` names any that were replaced."""

    def __init__(self) -> None:
        self._snapshot = _protected_objects()

    def changed(self) -> list[str]:
        now = _protected_objects()
        return [
            f"replaced `{name}`"
            for name, obj in self._snapshot.items()
            if now.get(name) is not obj and not _dynamo_wrapper_of(now.get(name), obj)
        ]


@functools.cache
def _dynamo_wrapper_code() -> Any:
    from torch._compile import _disable_dynamo

    return _disable_dynamo(len).__code__


def _dynamo_wrapper_of(now: Any, original: Any) -> bool:
    """Whether `now` is the wrapper importing torch._dynamo puts around `original`.

    Its first import replaces `torch.manual_seed` with `torch._disable_dynamo(...)` of
    it. Workers import dynamo before their request (harness/pipeline.py), but a worker
    that did not would see a candidate's `torch.compile`, or the harness's own compile
    baseline, replace it after the snapshot. The wrapper is recognised by its code
    object and by the function it closes over: anything else, however named, is still a
    replacement, and this one calls exactly the function it replaced.
    """
    if getattr(now, "__code__", None) is not _dynamo_wrapper_code():
        return False
    try:
        cells = dict(zip(now.__code__.co_freevars, (c.cell_contents for c in now.__closure__)))
    except (TypeError, ValueError):  # no closure, or an empty cell
        return False
    return cells.get("fn") is original


class ThreadGuard:
    """Work on a thread of its own escapes the timed region."""

    def __init__(self) -> None:
        self._before = {t.ident for t in threading.enumerate()}

    def new_threads(self) -> list[str]:
        extra = [
            t.name
            for t in threading.enumerate()
            if t.ident not in self._before and not _framework_thread(t)
        ]
        return [f"started thread `{name}`" for name in extra]


def _framework_thread(thread: threading.Thread) -> bool:
    """Threads whose code is PyTorch's or Triton's own, such as the timer thread
    Inductor's compile-worker pool starts some time after torch.compile built the
    baseline (seen rejecting an honest candidate on an H100)."""
    target = getattr(thread, "_target", None) or type(thread).run
    module = getattr(target, "__module__", None) or ""
    return module.split(".")[0] in ("torch", "triton")


class PrecisionFlags:
    """PyTorch's global precision switches must stay as the reference saw them."""

    def __init__(self) -> None:
        self.before = self.read()

    @staticmethod
    def read() -> dict[str, Any]:
        return {
            "cuda.matmul.allow_tf32": torch.backends.cuda.matmul.allow_tf32,
            "cudnn.allow_tf32": torch.backends.cudnn.allow_tf32,
            "float32_matmul_precision": torch.get_float32_matmul_precision(),
            "matmul.allow_fp16_reduced_precision_reduction": torch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction,
        }

    def changed(self) -> list[str]:
        now = self.read()
        return [
            f"changed `{k}` from {self.before[k]} to {now[k]}"
            for k in self.before
            if now[k] != self.before[k]
        ]


class OpTrace:
    """Records what a forward calls: the torch functions by name (`ops`), the ATen ops
    they dispatch (`aten`, see `aten_family`) with the size each ran on (`aten_sizes`),
    and the dtypes they produce."""

    def __init__(self) -> None:
        self._functions = _FunctionNames()
        self._dispatched = _AtenOps()
        self.ops, self.out_dtypes = self._functions.ops, self._functions.out_dtypes
        self.aten_sizes = self._dispatched.sizes

    @property
    def aten(self) -> Counter[str]:
        return Counter({family: len(calls) for family, calls in self.aten_sizes.items()})

    def __enter__(self) -> OpTrace:
        self._functions.__enter__()
        self._dispatched.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._dispatched.__exit__(*exc)
        self._functions.__exit__(*exc)


class _FunctionNames(TorchFunctionMode):
    def __init__(self) -> None:
        super().__init__()
        self.ops: Counter[str] = Counter()
        self.out_dtypes: set[torch.dtype] = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        result = func(*args, **kwargs)
        name = resolve_name(func) or getattr(func, "__name__", str(func))
        if not name.startswith("torch.Tensor.__") and "__get__" not in name:
            self.ops[name] += 1
        if isinstance(result, torch.Tensor) and result.is_floating_point():
            self.out_dtypes.add(result.dtype)
        return result


class _AtenOps(TorchDispatchMode):
    def __init__(self) -> None:
        super().__init__()
        self.sizes: dict[str, list[OpSize]] = {}

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        result = func(*args, **kwargs)
        families = aten_family(func)
        if families:
            operands = [t for t in tree_leaves((args, kwargs)) if isinstance(t, torch.Tensor)]
            size = OpSize(len(operands), _largest_numel([*operands, result]))
            for family in families:
                entry = size
                if len(families) > 1:  # addmm: a product, and its bias added to the output
                    entry = OpSize(2, size.numel if family == "matmul" else _largest_numel(result))
                self.sizes.setdefault(family, []).append(entry)
        return result


class OpSize(NamedTuple):
    """What one dispatched op ran on: its tensor operands (a convolution with its bias
    has three, without it two) and the element count of the largest tensor it read or
    wrote (a reduction's input, an elementwise op's output)."""

    operands: int
    numel: int


def _largest_numel(tree: Any) -> int:
    return max(
        (leaf.numel() for leaf in tree_leaves(tree) if isinstance(leaf, torch.Tensor)),
        default=0,
    )


# Ops that move, copy or allocate values without computing any: a candidate may call
# them freely, and a reference's use of them asks nothing of a candidate. (`set_` is how
# Triton's interpreter hands a kernel's results back to each tensor it launched on.)
_NOT_COMPUTING = {
    "alias", "clone", "contiguous", "copy", "detach", "empty", "empty_like",
    "empty_strided", "expand", "lift_fresh", "new_empty", "new_empty_strided",
    "resize", "set", "to_copy", "unsafe_view", "zero", "zeros", "zeros_like",
}  # fmt: skip
# One family for every spelling of a matrix product; the add+ forms also add (F.linear
# dispatches addmm where `x @ w.t() + b` dispatches mm and add).
_MATMULS = {"mm", "bmm", "matmul", "linear", "dot", "mv", "vdot"}
_MATMUL_ADDS = {"addmm", "baddbmm", "addbmm", "addmv", "addr"}


def aten_family(func: Any) -> list[str]:
    """The computation an ATen op stands for, spelling aside: `aten._softmax.default` and
    `aten.softmax.int` are `softmax`; `relu_` is `relu`; views and copies are nothing.

    Recorded below autograd, where F.softmax, torch.softmax and x.softmax, or `*` and
    `.mul`, have already become the same op: names of torch functions (`ops`) differ."""
    if getattr(func, "is_view", False):
        return []
    name = func.overloadpacket.__name__.strip("_")
    if name in _NOT_COMPUTING:
        return []
    if name in _MATMULS:
        return ["matmul"]
    if name in _MATMUL_ADDS:
        return ["matmul", "add"]
    return [name]


class KernelLaunchCounter:
    """Counts Triton kernel launches (compiled and interpreted)."""

    def __init__(self) -> None:
        self.launches = 0
        self._undo: list[Callable[[], None]] = []

    def __enter__(self) -> KernelLaunchCounter:
        classes = []
        try:
            from triton.runtime.jit import JITFunction

            classes.append(JITFunction)
        except ImportError:
            pass
        try:
            from triton.runtime.interpreter import InterpretedFunction

            classes.append(InterpretedFunction)
        except ImportError:
            pass
        for cls in classes:
            original = cls.run

            def counting_run(fn_self, *args, __original=original, **kwargs):
                self.launches += 1
                return __original(fn_self, *args, **kwargs)

            cls.run = counting_run
            self._undo.append(functools.partial(setattr, cls, "run", original))
        return self

    def __exit__(self, *exc) -> None:
        for undo in self._undo:
            undo()


@contextmanager
def reference_tripwire(model_cls: type[Any]):  # Any: its forward is patched
    """Counts calls of the reference Model's forward while the candidate runs."""
    calls = {"n": 0}
    original = model_cls.forward

    def tripped_forward(self, *args, **kwargs):
        calls["n"] += 1
        return original(self, *args, **kwargs)

    model_cls.forward = tripped_forward
    try:
        yield calls
    finally:
        model_cls.forward = original


def reference_replicated(
    reference: dict[str, list[OpSize]],
    candidate: dict[str, list[OpSize]],
    reference_launches: int = 0,
    candidate_launches: int = 0,
) -> bool:
    """True when the candidate dispatches every op the reference does (OpTrace's
    `aten_sizes`), with as many tensor operands and over at least as many elements in
    all: the reference respelled, whatever Triton kernels it launches besides (a copy of
    the answer, a kernel on a scratch buffer), however the ops are spelled, and in as
    many pieces as it likes (a softmax of each half, concatenated).

    Honest hybrids are not caught: a two-stage reduction finishing its per-block partial
    sums with torch's `sum` runs it on far fewer elements; cuDNN's convolution without
    the bias, which a Triton pass then adds with what follows, has one operand fewer
    than the reference's; and a candidate may leave some of the reference's ops to
    PyTorch as long as its kernels do at least part of one. Where the reference launches
    Triton kernels itself (one the user selected in the editor), its ATen ops are the
    glue around them: only a candidate with no kernel of its own can respell it."""
    if not reference or (reference_launches and candidate_launches):
        return False
    for op, sizes in reference.items():
        theirs = candidate.get(op, [])
        for operands in {size.operands for size in sizes}:
            needed = sum(size.numel for size in sizes if size.operands >= operands)
            if sum(size.numel for size in theirs if size.operands >= operands) < needed:
                return False
    return True


def downcast_dtypes(
    problem_dtypes: set[torch.dtype], candidate_dtypes: set[torch.dtype]
) -> list[str]:
    """Low-precision tensors in a candidate whose reference never used them."""
    if problem_dtypes & set(_LOW_PRECISION):
        return []
    lowered = candidate_dtypes & set(_LOW_PRECISION)
    return [
        f"produced {dtype} tensors on a {'/'.join(sorted(str(d) for d in problem_dtypes))} problem"
        for dtype in sorted(lowered, key=str)
    ]


def kernel_streams(fn: Callable[[], Any]) -> set[int]:
    """CUDA streams that ran kernels or copies during one call (via the profiler's trace)."""
    import json
    import os
    import tempfile

    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    fd, path = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        prof.export_chrome_trace(path)
        with open(path) as handle:
            events = json.load(handle).get("traceEvents", [])
    finally:
        os.unlink(path)
    streams = set()
    for event in events:
        if event.get("cat") in ("kernel", "gpu_memcpy", "gpu_memset"):
            stream = event.get("args", {}).get("stream")
            if stream is not None:
                streams.add(int(stream))
    return streams


def _tensor_core_ops(reference_ops: Counter) -> tuple[bool, bool]:
    """Whether the reference runs convolutions, and whether it runs matmuls (by torch
    function or ATen family name; attention and einsum count as matmuls)."""
    words = ("linear", "matmul", "mm", "bmm", "einsum", "scaled_dot_product")
    convs = any("conv" in op for op in reference_ops)
    matmuls = any(word in op for op in reference_ops for word in words)
    return convs, matmuls


def tf32_in_use(reference_ops: Counter) -> bool:
    """Whether PyTorch's defaults let the reference run in TF32 (its compute peak is then tf32's)."""
    convs, matmuls = _tensor_core_ops(reference_ops)
    return (convs and torch.backends.cudnn.allow_tf32) or (
        matmuls and torch.backends.cuda.matmul.allow_tf32
    )


def tf32_throughout(reference_ops: Counter) -> bool:
    """Whether every convolution and matmul of the reference runs in TF32 under the
    current settings (PyTorch's defaults: convolutions yes, matmuls no), so that a
    TF32 product anywhere in a candidate is no lower than the reference's own."""
    convs, matmuls = _tensor_core_ops(reference_ops)
    return (
        (convs or matmuls)
        and (not convs or torch.backends.cudnn.allow_tf32)
        and (not matmuls or torch.backends.cuda.matmul.allow_tf32)
    )
