"""Worker side: the device's own ceilings, measured rather than taken from a datasheet.

Copy bandwidth counts bytes read plus bytes written of a large
device-to-device copy; matmul rates come from a large square product per
dtype on random data (zeros run faster and would flatter the peak).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import torch


def _median_ms(fn: Callable[[], Any], device: torch.device, reps: int) -> float:
    fn()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        times = []
        for _ in range(reps):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            torch.cuda.synchronize(device)
            times.append(start.elapsed_time(end))
        return statistics.median(times)
    times = []
    for _ in range(reps):
        begin = time.perf_counter()
        fn()
        times.append((time.perf_counter() - begin) * 1e3)
    return statistics.median(times)


def _copy_op(elems: int, device: torch.device) -> Callable[[], Any]:
    src = torch.randn(elems, device=device)
    dst = torch.empty_like(src)
    return lambda: dst.copy_(src)


def _matmul_op(n: int, dtype: torch.dtype, device: torch.device) -> Callable[[], Any]:
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    return lambda: a @ b


def measure_peaks(device: torch.device) -> dict[str, Any]:
    on_gpu = device.type == "cuda"
    copy_elems = (1 << 30) // 4 if on_gpu else (1 << 26) // 4  # 1 GiB on GPU, 64 MiB on CPU
    copy_ms = _median_ms(_copy_op(copy_elems, device), device, 20 if on_gpu else 5)
    copy_gbps = 2 * copy_elems * 4 / (copy_ms / 1e3) / 1e9

    matmul: dict[str, float] = {}
    n = 8192 if on_gpu else 1024
    dtypes = {"float32": torch.float32}
    if on_gpu:
        dtypes.update({"tf32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16})
    saved = torch.backends.cuda.matmul.allow_tf32
    try:
        for key, dtype in dtypes.items():
            torch.backends.cuda.matmul.allow_tf32 = key == "tf32"
            ms = _median_ms(_matmul_op(n, dtype, device), device, 10 if on_gpu else 3)
            matmul[key] = 2 * n**3 / (ms / 1e3) / 1e12
    finally:
        torch.backends.cuda.matmul.allow_tf32 = saved
    name = torch.cuda.get_device_name(device) if on_gpu else "cpu"
    return {
        "name": name,
        **device_facts(device),
        "copy_gbps": copy_gbps,
        "matmul_tflops": matmul,
        "method": f"copy of {copy_elems * 4 >> 20} MiB (read+write); {n}³ matmul, random data",
    }


def device_facts(device: torch.device) -> dict[str, int | None]:
    """What the kernel generator sizes tiles and grids by, as the device reports it
    (None on CPU): SMs, the most shared memory one block may opt in to (a kernel
    asking more fails to compile), and the L2 cache."""
    if device.type != "cuda":
        return {"sm_count": None, "shared_memory_per_block": None, "l2_bytes": None}
    props = torch.cuda.get_device_properties(device)
    # The opt-in maximum (227 KiB on an H100) is what Triton may use; the plain
    # per-block figure (48 KiB) is only the default without opting in.
    shared = getattr(props, "shared_memory_per_block_optin", None) or getattr(
        props, "shared_memory_per_block", None
    )
    return {
        "sm_count": props.multi_processor_count,
        "shared_memory_per_block": shared,
        "l2_bytes": getattr(props, "L2_cache_size", None),
    }
