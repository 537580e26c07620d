"""Issue 4's flywheel benchmark: do skills from one search speed up a related one?

Searches problem A (writing a skill on success), then problem B twice, at once:
without skills and with them. Speedups are against eager (the flywheel compares
searches with each other, so no torch.compile baseline is built). Reports, for B, the best speedup each search reached and
how many evaluations each needed to get within 95% of the no-skills best.

Usage (GPU): python scripts/flywheel.py OUT [--budget N] [--time-limit S] [--pair PREFIX]
PREFIX defaults to benchmarks/flywheel/layer_norm (layer_norm_a.py, layer_norm_b.py);
benchmarks/flywheel/ also holds fp32 matmul (`matmul`), cumulative product
(`cumprod`), vocabulary softmax (`softmax`), cross entropy (`cross_entropy`) and
128-wide-head attention (`attention`) pairs. The softmax pair passed
(benchmarks/results/h200-2026-12-01-flywheel-softmax-vocab/); benchmarks/results/h200-2026-12-01-flywheel-cumprod-matmul
has how the others did.
Writes OUT/flywheel.json (the figures and both curves). CPU smoke test:
`--device cpu --pair PREFIX` with shrunk copies (no speedups there, so no skill).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAIR = ROOT / "benchmarks" / "flywheel" / "layer_norm"  # + "_a.py" / "_b.py"


def curve(report) -> list[float]:
    """Best speedup vs eager after each evaluation, in evaluation (node id) order."""
    best, points = 0.0, []
    for node in sorted(report.nodes, key=lambda n: n["id"]):
        speed = (node.get("speedup") or {}).get("vs_eager") if node["outcome"] == "ok" else None
        best = max(best, speed or 0.0)
        points.append(best)
    return points


def evals_to_reach(points: list[float], target: float) -> int | None:
    return next((i + 1 for i, value in enumerate(points) if value >= target), None)


async def main(out: Path, budget: int, time_limit: float, device: str, pair: Path) -> dict:
    from kernelwright.agent.api import SearchConfig
    from kernelwright.agent.search import run_search

    def config(name: str, skills: bool) -> SearchConfig:
        return SearchConfig(
            budget=budget,
            time_limit_s=time_limit,
            device=device,
            store_path=str(out / f"{name}.sqlite"),
            out_dir=str(out / name),
            use_skills=skills,
            parallel=3,
            compile_baseline=False,
        )

    problem_a, problem_b = f"{pair}_a.py", f"{pair}_b.py"
    first = await run_search(problem_a, config("a", skills=True))
    # Both B searches run at once: they share the GPU gate, so timings never overlap,
    # and each reads the skill library before either writes to it.
    cold, warm = await asyncio.gather(
        run_search(problem_b, config("b_cold", skills=False)),
        run_search(problem_b, config("b_warm", skills=True)),
    )
    cold_curve, warm_curve = curve(cold), curve(warm)
    cold_best = max(cold_curve, default=0.0)
    target = 0.95 * cold_best
    cold_needed = evals_to_reach(cold_curve, cold_best)
    warm_needed = evals_to_reach(warm_curve, target)
    return {
        "a_best": (first.best or {}).get("speedup"),
        "a_notes": first.notes,
        "b_cold_best": cold_best,
        "b_cold_evals_to_best": cold_needed,
        # shows whether the cold best was a late, noise-sized gain over an early near-tie
        "b_cold_evals_to_95pct": evals_to_reach(cold_curve, target),
        "b_warm_best": max(warm_curve, default=0.0),
        "b_warm_evals_to_95pct": warm_needed,
        "b_warm_notes": warm.notes,
        "cold_curve": cold_curve,
        "warm_curve": warm_curve,
        "passes": bool(cold_needed and warm_needed and warm_needed <= 0.25 * cold_needed),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--budget", type=int, default=16)
    parser.add_argument("--time-limit", type=float, default=240.0)
    parser.add_argument("--device", default="cuda")
    parser.add_argument(
        "--pair", default=str(PAIR), help="path prefix of the pair: PREFIX_a.py and PREFIX_b.py"
    )
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ["XDG_DATA_HOME"] = str(out / "data")  # a fresh skill library for this run
    result = asyncio.run(main(out, args.budget, args.time_limit, args.device, Path(args.pair)))
    (out / "flywheel.json").write_text(json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if not k.endswith("notes")}, indent=2))
