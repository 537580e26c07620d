"""Triton's `warmup` handle under the CPU interpreter.

Triton's tutorial 02 (fused softmax) and code written after it compile a kernel with
`kernel.warmup(..., grid=(1,))`, read the handle's `n_regs`, `n_spills` and
`metadata.shared` to size the launch, call `_init_handles()`, then launch through
the handle: `handle[(n, 1, 1)](*every_argument)`. Under `TRITON_INTERPRET=1` the
interpreter's `warmup` compiles nothing and returns None, so such code cannot run on
a machine without a GPU, and a CPU search could not even run its reference. The
handle here stands in for the compiled kernel: the launch runs the interpreted
kernel with the same arguments, and the resource figures are zeros (nothing was
compiled, so nothing limits occupancy).

Installed in harness workers only (harness/loading.py), and only under the
interpreter; on a GPU the real `warmup` is untouched.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any


class InterpretedHandle:
    """What `warmup` returns under the interpreter: launchable, with empty metadata."""

    n_regs = 0
    n_spills = 0
    n_max_threads = 1024

    def __init__(self, fn: Any, num_warps: int) -> None:
        self._fn = fn
        self.metadata = SimpleNamespace(shared=0, num_warps=num_warps, num_stages=1)

    def _init_handles(self) -> None:
        """Nothing to load: the interpreter runs the Python function."""

    def __getitem__(self, grid: Any) -> Any:
        def launch(*args: Any, **kwargs: Any) -> Any:
            return self._fn[grid](*args, **kwargs)

        return launch


def interpreter_only(patch: Callable[[], None]) -> Callable[[], None]:
    """`patch` as an install that runs once per process, and only under Triton's
    interpreter (TRITON_INTERPRET=1) where its modules import; on a GPU, nothing."""
    installed = False

    def install() -> None:
        nonlocal installed
        if installed or os.environ.get("TRITON_INTERPRET") != "1":
            return
        try:
            patch()
        except ImportError:
            return
        installed = True

    return install


def _patch_warmup() -> None:
    from triton.runtime.interpreter import InterpretedFunction

    original = InterpretedFunction.warmup

    def warmup(self: Any, *args: Any, grid: Any, **kwargs: Any) -> Any:
        handle = original(self, *args, grid=grid, **kwargs)
        return handle if handle is not None else InterpretedHandle(self, kwargs.get("num_warps", 4))

    InterpretedFunction.warmup = warmup


install = interpreter_only(_patch_warmup)
