"""Live tensor bytes, counted through PyTorch's dispatcher: what a verification holds at
its peak, whatever the device's allocator caches (tests/cpu/test_trial_memory.py,
scripts/live_memory_audit.py)."""

from __future__ import annotations

import weakref

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten


class LiveBytes(TorchDispatchMode):
    """The bytes of every tensor storage made under it and still alive, and their peak."""

    def __init__(self) -> None:
        super().__init__()
        self.alive: dict[int, int] = {}  # storage address -> tensors still holding it
        self.sizes: dict[int, int] = {}
        self.now = self.peak = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in tree_flatten(out)[0]:
            if isinstance(t, torch.Tensor) and t.untyped_storage().data_ptr():
                self._hold(t)
        return out

    def _hold(self, t: torch.Tensor) -> None:
        address = t.untyped_storage().data_ptr()
        if address not in self.sizes:
            self.sizes[address] = t.untyped_storage().nbytes()
            self.now += self.sizes[address]
            self.peak = max(self.peak, self.now)
        self.alive[address] = self.alive.get(address, 0) + 1
        weakref.finalize(t, self._release, address)

    def _release(self, address: int) -> None:
        self.alive[address] -= 1
        if not self.alive[address]:
            del self.alive[address]
            self.now -= self.sizes.pop(address)
