"""Worker side: bytes, FLOPs, achieved rates against measured peaks, bottleneck class."""

from __future__ import annotations

from typing import Any

import torch
from kernelwright.harness.timing import input_bytes
from torch.utils.flop_counter import FlopCounterMode, sdpa_flop_count

# Under this time a launch's fixed cost (~3-5 µs on Hopper, plus Python) is a
# large share, so low utilisation says "launch-bound" rather than "slow kernel".
LATENCY_BOUND_MS = 0.02
# A unit running above this fraction of its measured peak is the one that binds.
SATURATED_FRACTION = 0.5


# Attention ops whose formula PyTorch's counter gives without the causal mask
# ("NB: We aren't accounting for causal attention here"), plus the CPU op it lacks.
_SDPA_OPS = (
    "_scaled_dot_product_efficient_attention",
    "_scaled_dot_product_flash_attention",
    "_scaled_dot_product_cudnn_attention",
    "_scaled_dot_product_flash_attention_for_cpu",
)


def causal_fraction(queries: int, keys: int) -> float:
    """Share of the L x S scores a causal mask keeps (torch's is_causal: query i sees keys 0..i)."""
    kept = sum(min(i + 1, keys) for i in range(queries))
    return kept / (queries * keys) if queries and keys else 1.0


def _sdpa_formula(packet: Any):
    """Two matmuls over the scores the mask keeps: counting the full square made a causal
    kernel that skips masked tiles (as flash attention does) look faster than the device."""
    names = [a.name for a in packet.default._schema.arguments]

    def formula(*args, out_val=None, **kwargs) -> int:
        bound = {**dict(zip(names, args)), **kwargs}
        query, key, value = bound["query"], bound["key"], bound["value"]
        flops = sdpa_flop_count(query.shape, key.shape, value.shape)
        if bound.get("is_causal"):
            flops = round(flops * causal_fraction(query.shape[-2], key.shape[-2]))
        return flops

    # The counter passes the tensors, so is_causal is visible. A flag on the function
    # object, which mypy does not model (setattr with a constant name is a lint finding).
    formula._get_raw = True  # type: ignore[attr-defined]
    return formula


def _attention_formulas() -> dict[Any, Any]:
    packets = [getattr(torch.ops.aten, name, None) for name in _SDPA_OPS]
    return {p: _sdpa_formula(p) for p in packets if p is not None}


def count_flops(model: torch.nn.Module, inputs: list) -> int:
    """FLOPs of the reference's forward, as PyTorch's flop counter sees them.

    The counter knows matmuls, convolutions and attention (here counted over the
    scores a causal mask keeps); pointwise ops count zero, which is right for the
    roofline of a memory-bound op.
    """
    counter = FlopCounterMode(display=False, custom_mapping=_attention_formulas())
    with torch.no_grad(), counter:
        model(*inputs)
    return int(counter.get_total_flops())


def unique_bytes(model: torch.nn.Module, inputs: list, output: Any) -> int:
    """Bytes an ideal kernel must move: every input, weight and output touched once."""
    tensors = [x for x in inputs if isinstance(x, torch.Tensor)]
    tensors += list(model.parameters()) + list(model.buffers())
    outputs = output if isinstance(output, (tuple, list)) else [output]
    tensors += [t for t in outputs if isinstance(t, torch.Tensor)]
    return input_bytes(tensors)


def compute_dtype_key(dtype: torch.dtype, tf32_allowed: bool) -> str:
    if dtype == torch.float32:
        return "tf32" if tf32_allowed else "float32"
    return str(dtype).replace("torch.", "")


def classify(
    memory_fraction: float | None,
    compute_fraction: float | None,
    time_ms: float,
    intensity: float | None,
    ridge: float | None,
) -> str:
    """Bottleneck class from utilisation of measured peaks, then roofline position."""
    mem = memory_fraction or 0.0
    comp = compute_fraction or 0.0
    if time_ms < LATENCY_BOUND_MS and max(mem, comp) < SATURATED_FRACTION:
        return "latency-bound"
    if comp >= SATURATED_FRACTION and comp >= mem:
        return "compute-bound"
    if mem >= SATURATED_FRACTION:
        return "memory-bound"
    if intensity is not None and ridge is not None:
        side = "compute-bound" if intensity >= ridge else "memory-bound"
        return side
    return "memory-bound" if mem >= comp else "compute-bound"


def flop_peak(peaks: dict[str, Any] | None, dtype_key: str) -> tuple[float | None, str | None]:
    """The FLOP ceiling for a compute dtype, and what it is when not the plain measurement.

    fp32 at fp32 accuracy also runs on tensor cores as 3xTF32 (three TF32 products
    per dot; the static checks admit it, plain TF32 they reject). Its ceiling is a
    third of the TF32 peak: on the H200, 136 TFLOP/s against 51 for fp32 on the
    CUDA cores, where a 3xTF32 Linear reached 108% of the fp32 figure.
    """
    rates = (peaks or {}).get("matmul_tflops") or {}
    plain = rates.get(dtype_key)
    if dtype_key == "float32" and rates.get("tf32") and rates["tf32"] / 3 > (plain or 0):
        return rates["tf32"] / 3, "3xTF32: a third of the measured TF32 peak"
    return plain, None


def build_profile(
    time_ms: float | None, nbytes: int, flops: int, dtype_key: str, peaks: dict[str, Any] | None
) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "bytes": nbytes,
        "flops": flops,
        "time_ms": time_ms,
        "compute_dtype": dtype_key,
        "achieved_gbps": None,
        "achieved_tflops": None,
        "pct_peak_bw": None,
        "pct_peak_flops": None,
        "bottleneck": None,
        "arithmetic_intensity": flops / nbytes if nbytes else None,
        "peaks": peaks,
    }
    if not time_ms:
        profile["bottleneck_note"] = "no timing, so no achieved rates"
        return profile
    seconds = time_ms / 1e3
    gbps = nbytes / seconds / 1e9
    tflops = flops / seconds / 1e12
    profile["achieved_gbps"] = gbps
    profile["achieved_tflops"] = tflops
    peak_bw = (peaks or {}).get("copy_gbps")
    peak_flops, basis = flop_peak(peaks, dtype_key)
    if basis:
        profile["flop_peak_basis"] = basis
    mem_frac = gbps / peak_bw if peak_bw else None
    comp_frac = tflops / peak_flops if peak_flops and flops else None
    profile["pct_peak_bw"] = 100 * mem_frac if mem_frac is not None else None
    profile["pct_peak_flops"] = 100 * comp_frac if comp_frac is not None else None
    ridge = (peak_flops * 1e12) / (peak_bw * 1e9) if peak_bw and peak_flops else None
    profile["bottleneck"] = classify(
        mem_frac, comp_frac, time_ms, profile["arithmetic_intensity"], ridge
    )
    return profile


# The bandwidth peak is a device copy (read + write). A read-only stream runs
# faster: eager's sum of 2.1 GB read at 103% of the copy figure on an H200, whose
# HBM3e is specified at 4.8 TB/s, 114% of its measured 4.2 TB/s copy.
READ_STREAM_MARGIN = 1.15


def above_peak(
    profile: dict[str, Any], margin: float = 1.05, bandwidth_margin: float = READ_STREAM_MARGIN
) -> list[str]:
    """Rates the hardware cannot deliver: the timing or the result is not what it seems."""
    problems = []
    if (profile.get("pct_peak_bw") or 0) > 100 * bandwidth_margin:
        problems.append(f"{profile['pct_peak_bw']:.0f}% of measured peak bandwidth")
    if (profile.get("pct_peak_flops") or 0) > 100 * margin:
        problems.append(f"{profile['pct_peak_flops']:.0f}% of measured peak FLOP rate")
    return problems


def triton_kernel_metadata(module: Any) -> list[dict[str, Any]]:
    """Registers, spills and shared memory of every compiled Triton kernel in a module."""
    kernels = []
    for name, obj in vars(module).items():
        fn = obj  # a JITFunction has .fn too (its Python function): unwrap only wrappers
        while not hasattr(fn, "device_caches") and hasattr(fn, "fn"):
            fn = fn.fn  # Autotuner / Heuristics wrap the JITFunction
        caches = getattr(fn, "device_caches", None)
        if not caches:
            continue
        for entry in caches.values():
            cache = entry[0] if isinstance(entry, tuple) else entry
            for compiled in getattr(cache, "values", lambda: [])():
                meta = getattr(compiled, "metadata", None)
                kernels.append(
                    {
                        "kernel": name,
                        "registers": getattr(compiled, "n_regs", None),
                        "spills": getattr(compiled, "n_spills", None),
                        "shared_bytes": getattr(meta, "shared", None),
                        "num_warps": getattr(meta, "num_warps", None),
                        "num_stages": getattr(meta, "num_stages", None),
                    }
                )
    return kernels
