"""Human-readable CLI output (rich). `--json` bypasses this module entirely."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()

_OUTCOME_STYLE = {"ok": "bold green", "wrong": "bold red", "rejected": "bold magenta"}


def _num(value: float | None, fmt: str, unit: str = "") -> str:
    return "—" if value is None else f"{value:{fmt}}{unit}"


def describe_profile(profile: dict[str, Any] | None) -> str:
    """One line: bottleneck · achieved rates · % of measured peak (or why not)."""
    if not profile:
        return "no profile"
    if profile.get("achieved_gbps") is None:
        return profile.get("bottleneck_note", "no timing")
    parts = [profile.get("bottleneck") or "unclassified", f"{profile['achieved_gbps']:.0f} GB/s"]
    if profile.get("pct_peak_bw") is not None:
        parts[-1] += f" ({profile['pct_peak_bw']:.0f}% of peak DRAM BW)"
    if profile.get("flops"):
        text = f"{profile['achieved_tflops']:.2f} TFLOP/s"
        if profile.get("pct_peak_flops") is not None:
            text += f" ({profile['pct_peak_flops']:.0f}% of peak {profile.get('compute_dtype')})"
        parts.append(text)
    return " · ".join(parts)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def describe_ncu(ncu: dict[str, Any] | None) -> list[str]:
    """One or two lines on the kernel that dominates ncu's time, or why there is none."""
    if not ncu:
        return []
    if "unavailable" in ncu:
        return [f"unavailable: {ncu['unavailable']}"]
    summary = ncu.get("summary") or {}
    kernel = next(
        (k for k in ncu.get("kernels", []) if k.get("id") == summary.get("dominant_id")), None
    )
    if kernel is None:
        return ["no kernels"]
    regs = kernel.get("registers_per_thread")
    waves = kernel.get("waves_per_sm")
    first = (
        f"SOL memory {_pct(kernel.get('memory_throughput_pct'))} · compute "
        f"{_pct(kernel.get('compute_sm_pct'))} · occupancy "
        f"{_pct(kernel.get('achieved_occupancy_pct'))} achieved / "
        f"{_pct(kernel.get('theoretical_occupancy_pct'))} theoretical · "
        f"{'—' if regs is None else regs} regs · waves {_num(waves, '.1f')}"
        f" → {summary.get('bottleneck')}-bound"
    )
    second = f"{summary.get('dominant_name')}"
    if summary.get("kernels", 0) > 1 and summary.get("dominant_share_pct") is not None:
        second += f", {summary['dominant_share_pct']:.0f}% of {summary['kernels']} kernels' time"
    rule = summary.get("top_rule")
    if rule:
        second += f" · top rule {rule['name']} (est. speedup {rule['speedup_pct']:.0f}%)"
    return [first, second]


def _add_ncu_row(table: Table, profile: dict[str, Any] | None) -> None:
    lines = describe_ncu((profile or {}).get("ncu"))
    if lines:
        table.add_row("ncu", "\n".join(lines))


def render_eval(result: dict[str, Any], problem: str, candidate: str) -> None:
    outcome = result["outcome"]
    style = _OUTCOME_STYLE.get(outcome, "bold yellow")
    cached = " [dim](from the store)[/dim]" if result.get("cached") else ""
    console.print(
        f"[{style}]{outcome}[/{style}]  {candidate} vs {problem} on {result['device']}{cached}"
    )
    console.print(f"  {result['message']}")
    table = Table(show_header=False, box=None, padding=(0, 2))
    corr = result.get("correctness") or {}
    if corr:
        table.add_row(
            "correctness",
            f"{corr.get('passed')}/{corr.get('trials')} trials · max abs "
            f"{_num(corr.get('max_abs_error'), '.2e')} · max rel "
            f"{_num(corr.get('max_rel_error'), '.2e')} · {corr.get('criterion')}",
        )
    timing = result.get("timing")
    if timing:
        table.add_row(
            "candidate",
            f"{timing['median_ms']:.4f} ms median (IQR {timing['iqr_ms']:.4f}, n={timing['n']})",
        )
    elif result.get("timing_note"):
        table.add_row("timing", result["timing_note"])
    base = result.get("baseline") or {}
    if base:
        table.add_row("eager", _num(base.get("eager_ms"), ".4f", " ms"))
        if base.get("compile_ms") is not None:
            table.add_row("torch.compile", _num(base.get("compile_ms"), ".4f", " ms"))
    speed = result.get("speedup")
    if speed:
        table.add_row(
            "speedup",
            f"{_num(speed.get('vs_eager'), '.2f', '×')} vs eager · "
            f"{_num(speed.get('vs_compile'), '.2f', '×')} vs torch.compile",
        )
    if result.get("profile") and timing:
        table.add_row("profile", describe_profile(result["profile"]))
    _add_ncu_row(table, result.get("profile"))
    if result.get("flags"):
        table.add_row("flags", ", ".join(result["flags"]))
    console.print(table)
    if result.get("log_tail") and outcome != "ok":
        console.print("[dim]worker log (tail):[/dim]")
        console.print(result["log_tail"][-800:], markup=False, highlight=False)


def render_profile(result: dict[str, Any]) -> None:
    profile = result["profile"]
    console.print(
        f"[bold]{result.get('problem')}[/bold] on {result['device']}"
        + (" [dim](from the store)[/dim]" if result.get("cached") else "")
    )
    table = Table(show_header=False, box=None, padding=(0, 2))
    timing = result["timing"]
    table.add_row(
        "eager",
        f"{timing['median_ms']:.4f} ms median (IQR {timing['iqr_ms']:.4f}, "
        f"n={timing['n']}, {timing['method']})",
    )
    if result.get("compile_timing"):
        table.add_row("torch.compile", f"{result['compile_timing']['median_ms']:.4f} ms median")
    table.add_row("bytes", f"{profile['bytes'] / 1e6:.2f} MB (unique inputs, weights, outputs)")
    table.add_row("FLOPs", f"{profile['flops'] / 1e9:.3f} GFLOP (torch flop counter)")
    table.add_row("bottleneck", describe_profile(profile))
    _add_ncu_row(table, profile)
    peaks = profile.get("peaks") or {}
    if peaks:
        rates = ", ".join(f"{k} {v:.1f}" for k, v in (peaks.get("matmul_tflops") or {}).items())
        table.add_row(
            "measured peaks", f"copy {peaks.get('copy_gbps', 0):.0f} GB/s · matmul TFLOP/s: {rates}"
        )
    console.print(table)
