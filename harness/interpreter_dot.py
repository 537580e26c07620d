"""bfloat16 `tl.dot` under Triton's CPU interpreter.

The interpreter holds a bfloat16 tensor as its uint16 bits, and its `tl.dot` converts
only 8-bit float operands before numpy's matmul: a bfloat16 dot multiplies the bit
patterns (values near 1e10 for inputs of size 1; Triton's maintainers call bfloat16
unsupported there). So on a CPU every bfloat16 matmul candidate, ours or a user's
kernel, came back `wrong` (benchmarks/corpus/235, Gemma's MLP) for the interpreter's
arithmetic, not its own. Here a bfloat16 operand becomes the float32 it stands for
(its bits shifted into the top half: exact) before the interpreter's dot, which is what
a GPU's tensor cores compute: exact products, a float32 accumulator.

Installed in harness workers only (harness/loading.py), and only under the
interpreter; on a GPU nothing changes.
"""

from __future__ import annotations

from typing import Any

from kernelwright.harness.interpreter_handles import interpreter_only


def _patch_dot() -> None:
    import numpy as np
    import triton.language as tl
    from triton.runtime.interpreter import InterpreterBuilder, TensorHandle

    original = InterpreterBuilder.create_dot

    def as_float32(operand: Any) -> Any:
        if not getattr(operand.dtype, "is_bf16", lambda: False)():
            return operand
        bits = operand.data.astype(np.uint32) << 16
        return TensorHandle(bits.view(np.float32), tl.float32)

    def create_dot(self: Any, a: Any, b: Any, d: Any, *args: Any, **kwargs: Any) -> Any:
        return original(self, as_float32(a), as_float32(b), d, *args, **kwargs)

    InterpreterBuilder.create_dot = create_dot


install = interpreter_only(_patch_dot)
