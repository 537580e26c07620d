"""Reading measurements out of stored results, tolerant of which job made them."""

from __future__ import annotations

from typing import Any

from .results import Record, peak_phrase


def reference_numbers(ref: dict[str, Any] | None) -> tuple[float | None, dict[str, Any]]:
    """(median ms of the reference, its profile dict) from a profile or search result."""
    if not ref:
        return None, {}
    profile = ref.get("profile")
    if not isinstance(profile, dict):
        profile = ref
    timing = ref.get("timing")
    if not isinstance(timing, dict):
        timing = {}
    ms = (
        timing.get("median_ms")
        or profile.get("time_ms")
        or (ref.get("baseline") or {}).get("eager_ms")
    )
    return (float(ms) if isinstance(ms, (int, float)) else None), profile


def interpreted(ref: dict[str, Any] | None, problem_text: str | None) -> bool:
    """Whether a reference was timed under Triton's CPU interpreter: on CPU, with a
    problem that runs Triton kernels. The interpreter says nothing about speed, so
    neither its time nor rates derived from it are shown (0.02 GB/s, "0% of peak")."""
    text = problem_text or ""
    return (
        ref is not None
        and ref.get("device") == "cpu"
        and ("import triton" in text or "from triton" in text)
    )


def rates_line(profile: dict[str, Any]) -> str | None:
    parts = []
    gbps, tflops = profile.get("achieved_gbps"), profile.get("achieved_tflops")
    if isinstance(gbps, (int, float)):
        pct = profile.get("pct_peak_bw")
        parts.append(
            (f"{gbps:,.0f}" if gbps >= 10 else f"{gbps:.2f}")
            + " GB/s"
            + (f" ({pct:.0f}% of peak DRAM BW)" if isinstance(pct, (int, float)) else "")
        )
    if isinstance(tflops, (int, float)) and tflops > 0:  # a pure copy has no FLOP rate
        pct = profile.get("pct_peak_flops")
        parts.append(
            (f"{tflops:.2f} TFLOP/s" if tflops >= 0.01 else f"{tflops * 1e3:.2f} GFLOP/s")
            + (f" ({pct:.0f}% of peak)" if isinstance(pct, (int, float)) else "")
        )
    return " · ".join(parts) or None


def fmt_ms(ms: float) -> str:
    return f"{ms * 1000:.0f} µs" if ms < 0.1 else f"{ms:.2f} ms" if ms < 100 else f"{ms:.0f} ms"


def best_candidate_ms(rec: Record) -> float | None:
    if not rec.candidates:
        return None
    t = rec.candidates[0].timing or {}
    ms = t.get("median_ms")
    return float(ms) if isinstance(ms, (int, float)) else None


__all__ = [
    "best_candidate_ms",
    "fmt_ms",
    "interpreted",
    "peak_phrase",
    "rates_line",
    "reference_numbers",
]
