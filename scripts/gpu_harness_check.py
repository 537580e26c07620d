"""Issue 2's GPU check in one run: peaks, profile + eval twice per pair, a summary table.

Usage (on a GPU machine): python scripts/gpu_harness_check.py OUT_DIR
Writes OUT_DIR/harness-gpu.json and OUT_DIR/harness-gpu.md.
"""

from __future__ import annotations

import asyncio
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from kernelwright.harness.evaluate import Harness
from kernelwright.harness.pool import WorkerPool
from kernelwright.harness.store import Store

PAIRS = Path(__file__).resolve().parents[1] / "benchmarks" / "harness"
NAMES = ["elementwise", "reduction", "softmax", "layernorm", "linear_relu", "conv_relu"]


async def main(out: Path) -> None:
    harness = Harness(store=Store(out / "store.sqlite"), pool=WorkerPool(parallel=8))
    peaks = await harness.peaks("cuda")
    names = [n for n in NAMES if len(sys.argv) < 3 or n in sys.argv[2].split(",")]

    # Pairs run at once: their workers share the GPU gate, so compiling and
    # verifying overlap while every timed run still has the device alone.
    async def check(name: str) -> dict:
        problem = str(PAIRS / f"{name}.py")
        source = (PAIRS / f"{name}_kernel.py").read_text()
        profile = await harness.profile(problem, "cuda", use_cache=False)
        first = await harness.evaluate(problem, source, "cuda", use_cache=False, use_ncu=True)
        second = await harness.evaluate(
            problem, source, "cuda", use_cache=False, compile_baseline=False
        )
        t1 = (first.timing or {}).get("median_ms")
        t2 = (second.timing or {}).get("median_ms")
        row = {
            "problem": name,
            "outcome": first.outcome,
            "outcome_repeat": second.outcome,
            "message": first.message,
            "flags": first.flags,
            "eager_ms": profile["timing"]["median_ms"],
            "compile_ms": (profile.get("compile_timing") or {}).get("median_ms"),
            "ref_bottleneck": profile["profile"]["bottleneck"],
            "ref_pct_peak_bw": profile["profile"]["pct_peak_bw"],
            "ref_pct_peak_flops": profile["profile"]["pct_peak_flops"],
            "cand_ms": t1,
            "cand_ms_repeat": t2,
            "repeat_diff_pct": abs(t1 - t2) / t1 * 100 if t1 and t2 else None,
            "cand_iqr_ms": (first.timing or {}).get("iqr_ms"),
            "vs_eager": (first.speedup or {}).get("vs_eager"),
            "vs_compile": (first.speedup or {}).get("vs_compile"),
            "cand_bottleneck": (first.profile or {}).get("bottleneck"),
            "cand_pct_peak_bw": (first.profile or {}).get("pct_peak_bw"),
            "cand_pct_peak_flops": (first.profile or {}).get("pct_peak_flops"),
            "criterion": (first.correctness or {}).get("criterion"),
            "max_abs_error": (first.correctness or {}).get("max_abs_error"),
            "triton_kernels": (first.profile or {}).get("triton_kernels"),
            "numerics": first.numerics,
            "ref_ncu": (profile.get("profile") or {}).get("ncu"),
            "cand_ncu": (first.profile or {}).get("ncu"),
            "versions": first.versions,
        }
        print(json.dumps(row), flush=True)
        return row

    rows = list(await asyncio.gather(*(check(name) for name in names)))
    meta = {
        "date": datetime.now(UTC).isoformat(),
        "peaks": peaks,
        "versions": rows[0]["versions"],
        "python": platform.python_version(),
        "command": "python scripts/gpu_harness_check.py $OUT",
    }
    (out / "harness-gpu.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    lines = [
        f"device: {peaks['name']} · versions: {json.dumps(rows[0]['versions'])}",
        f"peaks: copy {peaks['copy_gbps']:.0f} GB/s · matmul TFLOP/s "
        + ", ".join(f"{k} {v:.1f}" for k, v in peaks["matmul_tflops"].items()),
        "",
        "| problem | verdict | eager ms | compile ms | cand ms | repeat ms | Δ% | vs eager "
        "| vs compile | ref bottleneck (% BW / % FLOP) | cand % BW | criterion |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def f(v, spec=".3f"):
        return "—" if v is None else format(v, spec)

    for r in rows:
        lines.append(
            f"| {r['problem']} | {r['outcome']}/{r['outcome_repeat']} | {f(r['eager_ms'])} | "
            f"{f(r['compile_ms'])} | {f(r['cand_ms'])} | {f(r['cand_ms_repeat'])} | "
            f"{f(r['repeat_diff_pct'], '.2f')} | {f(r['vs_eager'], '.2f')} | "
            f"{f(r['vs_compile'], '.2f')} | {r['ref_bottleneck']} ({f(r['ref_pct_peak_bw'], '.0f')}"
            f" / {f(r['ref_pct_peak_flops'], '.0f')}) | {f(r['cand_pct_peak_bw'], '.0f')} | "
            f"{r['criterion']} |"
        )
    (out / "harness-gpu.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "kw-gpu")
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(target))
