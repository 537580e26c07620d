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
    assert kernels[0] == {
        "kernel": "plain",
        "registers": 40,
        "spills": 0,
        "shared_bytes": 16384,
        "num_warps": 8,
        "num_stages": 3,
    }


def test_memory_bound_profile_against_measured_peaks():
    peaks = {"copy_gbps": 4000.0, "matmul_tflops": {"float32": 50.0}}
    profile = profiling.build_profile(
        time_ms=0.1, nbytes=360_000_000, flops=0, dtype_key="float32", peaks=peaks
    )
    assert round(profile["achieved_gbps"]) == 3600
    assert round(profile["pct_peak_bw"]) == 90
    assert profile["bottleneck"] == "memory-bound"


def test_short_unsaturated_kernel_is_latency_bound():
    peaks = {"copy_gbps": 4000.0, "matmul_tflops": {"float32": 50.0}}
    profile = profiling.build_profile(
        time_ms=0.005, nbytes=1_000_000, flops=0, dtype_key="float32", peaks=peaks
    )
    assert profile["bottleneck"] == "latency-bound"


def test_rates_above_peak_are_named():
    profile = {"pct_peak_bw": 130.0, "pct_peak_flops": 20.0}
    assert profiling.above_peak(profile) == ["130% of measured peak bandwidth"]


def test_a_read_only_stream_above_the_copy_figure_is_believed():
    """A reduction reads without writing, faster than the copy the peak measures."""
    assert profiling.above_peak({"pct_peak_bw": 108.0}) == []
    assert profiling.above_peak({"pct_peak_bw": 120.0}) == ["120% of measured peak bandwidth"]


def test_fp32_compute_is_measured_against_3xtf32_where_that_is_faster():
    """A 3xTF32 kernel at 55 TFLOP/s passes an fp32 SIMT peak of 51; the H200 rejected
    it as impossible until the ceiling counted the tensor cores' fp32-accurate path."""
    peaks = {"copy_gbps": 4200.0, "matmul_tflops": {"float32": 51.0, "tf32": 407.0}}
    profile = profiling.build_profile(
        time_ms=2.5,
        nbytes=200_000_000,
        flops=int(137.4e12 * 1e-3),
        dtype_key="float32",
        peaks=peaks,
    )
    assert round(profile["achieved_tflops"]) == 55
    assert round(profile["pct_peak_flops"]) == round(100 * 55 / (407 / 3))
    assert profile["flop_peak_basis"].startswith("3xTF32")
    assert profiling.above_peak(profile) == []
    half = profiling.build_profile(
        time_ms=2.5,
        nbytes=1,
        flops=1,
        dtype_key="float16",
        peaks={"matmul_tflops": {"float16": 700.0, "tf32": 407.0}},
    )
    assert "flop_peak_basis" not in half


def test_causal_attention_counts_the_scores_its_mask_keeps():
    """PyTorch's counter ignores is_causal; a flash kernel skipping masked tiles then
    ran at '164% of peak' on an H200 and was rejected."""
    import torch.nn.functional as F

    class Attention(torch.nn.Module):
        def __init__(self, causal):
            super().__init__()
            self.causal = causal

        def forward(self, q, k, v):
            return F.scaled_dot_product_attention(q, k, v, is_causal=self.causal)

    q = torch.randn(2, 3, 64, 16)
    full = profiling.count_flops(Attention(False), [q, q, q])
    causal = profiling.count_flops(Attention(True), [q, q, q])
    assert full == 4 * 2 * 3 * 64 * 64 * 16
    assert causal == round(full * (64 * 65 / 2) / (64 * 64))


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
