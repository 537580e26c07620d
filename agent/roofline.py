"""Roofline plot of reference and best kernels against the device's measured ceilings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: benches run on headless machines
import matplotlib.pyplot as plt  # noqa: E402


def plot_roofline(rows: list[dict[str, Any]], peaks: dict[str, Any] | None, path: Path) -> None:
    fig, (roof, bars) = plt.subplots(1, 2, figsize=(14, 5.5))
    compute_rows = [r for r in rows if r.get("intensity") and r.get("best_tflops")]
    if peaks:
        from kernelwright.harness.profiling import flop_peak

        bw = peaks["copy_gbps"] / 1e3  # TB/s
        rates = peaks.get("matmul_tflops") or {}
        fp32_accurate, basis = flop_peak(peaks, "float32")
        roofs = [
            ("float32, CUDA cores", rates.get("float32"), ":"),
            ("float32 as 3xTF32", fp32_accurate if basis else None, "-"),
            ("bfloat16", rates.get("bfloat16"), "--"),
        ]
        for label, flops, style in roofs:
            if flops:
                xs = [0.01, flops / bw, 1e4]
                roof.plot(
                    xs,
                    [min(x * bw, flops) for x in xs],
                    style,
                    color="grey",
                    label=f"measured roof ({label})",
                )
    for r in compute_rows:
        roof.scatter(r["intensity"], r["ref_tflops"] or 0, marker="o", color="tab:blue")
        roof.scatter(r["intensity"], r["best_tflops"], marker="*", s=120, color="tab:red")
        roof.annotate(r["problem"][:18], (r["intensity"], r["best_tflops"]), fontsize=7)
    roof.scatter([], [], marker="o", color="tab:blue", label="eager reference")
    roof.scatter([], [], marker="*", color="tab:red", label="best generated kernel")
    if compute_rows or peaks:
        roof.set(xscale="log", yscale="log")
    roof.set(
        xlabel="arithmetic intensity (FLOP/byte)",
        ylabel="achieved TFLOP/s",
        title="roofline (problems with counted FLOPs)",
    )
    roof.legend(fontsize=8)

    memory_rows = [r for r in rows if r.get("pct_peak_bw") is not None]
    names = [r["problem"][:22] for r in memory_rows]
    xs = list(range(len(memory_rows)))
    bars.barh(
        [x + 0.2 for x in xs],
        [r.get("ref_pct_peak_bw") or 0 for r in memory_rows],
        height=0.4,
        label="eager reference",
        color="tab:blue",
    )
    bars.barh(
        [x - 0.2 for x in xs],
        [r["pct_peak_bw"] for r in memory_rows],
        height=0.4,
        label="best generated kernel",
        color="tab:red",
    )
    bars.set_yticks(xs, names, fontsize=7)
    bars.axvline(100, color="grey", linestyle=":")
    bars.set(xlabel="% of measured copy bandwidth", title="memory traffic vs peak DRAM bandwidth")
    bars.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
