"""Profile arithmetic and Triton metadata lookup, without a GPU."""

from __future__ import annotations

import types

import torch
from kernelwright.harness import profiling


class _Meta:
    shared, num_warps, num_stages = 16384, 8, 3


class _Compiled:
    n_regs, n_spills, metadata = 40, 0, _Meta()


class _JIT:
    """Shaped like triton.runtime.jit.JITFunction: .fn is the Python function."""

    def __init__(self):
        self.fn = lambda: None
        self.device_caches = {0: ({"key": _Compiled()}, {}, None, None, None)}


class _Autotuner:
    def __init__(self, jit):
        self.fn = jit


def test_metadata_found_for_plain_and_autotuned_kernels():
    module = types.SimpleNamespace(plain=_JIT(), tuned=_Autotuner(_JIT()), helper=len)
    kernels = profiling.triton_kernel_metadata(module)
    assert [k["kernel"] for k in kernels] == ["plain", "tuned"]
    assert kernels[0] == {"kernel": "plain", "registers": 40, "spills": 0,
                          "shared_bytes": 16384, "num_warps": 8, "num_stages": 3}


def test_memory_bound_profile_against_measured_peaks():
    peaks = {"copy_gbps": 4000.0, "matmul_tflops": {"float32": 50.0}}
    profile = profiling.build_profile(time_ms=0.1, nbytes=360_000_000, flops=0,
                                      dtype_key="float32", peaks=peaks)
    assert round(profile["achieved_gbps"]) == 3600
    assert round(profile["pct_peak_bw"]) == 90
    assert profile["bottleneck"] == "memory-bound"


def test_short_unsaturated_kernel_is_latency_bound():
    peaks = {"copy_gbps": 4000.0, "matmul_tflops": {"float32": 50.0}}
    profile = profiling.build_profile(time_ms=0.005, nbytes=1_000_000, flops=0,
                                      dtype_key="float32", peaks=peaks)
    assert profile["bottleneck"] == "latency-bound"


def test_rates_above_peak_are_named():
    profile = {"pct_peak_bw": 130.0, "pct_peak_flops": 20.0}
    assert profiling.above_peak(profile) == ["130% of measured peak bandwidth"]


def test_bytes_count_what_a_view_spans_not_its_whole_storage():
    """F.mse_loss's 0-d result keeps its intermediate's storage alive; counting that
    storage made an honest loss kernel look faster than the device on an H100."""
    import torch.nn.functional as F
    from kernelwright.harness.profiling import unique_bytes

    a, b = torch.randn(256, 128), torch.randn(256, 128)
    out = F.mse_loss(a, b)
    assert out.untyped_storage().nbytes() > 4  # the trap is real in this PyTorch
    assert unique_bytes(torch.nn.Identity(), [a, b], out) == 2 * a.numel() * 4 + 4
    rows = torch.randn(64, 32)
    assert unique_bytes(torch.nn.Identity(), [rows, rows[8:16], rows.t()], None) == rows.numel() * 4
