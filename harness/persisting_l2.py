"""Worker side: the persisting-L2 carve-out, emptied before timing (CUDA driver API).

Since Ampere a context may set aside part of the L2 for "persisting" accesses
(`cudaLimitPersistingL2CacheSize` plus an access-policy window on a stream). Lines
held there survive timing's L2 flush, so a candidate that pins its inputs there
is timed on a warm cache that eager never gets. Before timing the carve-out is set
to zero and persisting lines are returned to normal, before every repetition the
lines are reset again, and afterwards a carve-out the candidate set for itself is
reported (harness/pipeline.py turns it into `rejected`).

The driver is reached through ctypes (`libcuda.so.1`, present wherever a CUDA
context is); without it nothing is done and `available` says so.
"""

from __future__ import annotations

import ctypes
from typing import Any

CU_LIMIT_PERSISTING_L2_CACHE_SIZE = 0x06
CUDA_SUCCESS = 0


def _load_driver() -> Any:
    try:
        return ctypes.CDLL("libcuda.so.1")
    except OSError:
        return None


class PersistingL2:
    def __init__(self, driver: Any = None) -> None:
        self._driver = driver if driver is not None else _load_driver()

    @property
    def available(self) -> bool:
        return self._driver is not None

    def carve_out(self) -> int | None:
        """Bytes the current context sets aside for persisting lines; None if unknown."""
        if self._driver is None:
            return None
        size = ctypes.c_size_t(0)
        status = self._driver.cuCtxGetLimit(ctypes.byref(size), CU_LIMIT_PERSISTING_L2_CACHE_SIZE)
        return int(size.value) if status == CUDA_SUCCESS else None

    def empty(self) -> bool:
        """No carve-out and no persisting lines; False when the driver refused either."""
        if self._driver is None:
            return False
        limit = self._driver.cuCtxSetLimit(CU_LIMIT_PERSISTING_L2_CACHE_SIZE, ctypes.c_size_t(0))
        return limit == CUDA_SUCCESS and self.reset_lines()

    def reset_lines(self) -> bool:
        if self._driver is None:
            return False
        return self._driver.cuCtxResetPersistingL2Cache() == CUDA_SUCCESS
