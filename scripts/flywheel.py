"""The flywheel benchmark (issues 4 and 22): do skills from one search help a
related one, and never hurt it?

For each pair PREFIX (PREFIX_a.py, PREFIX_b.py under benchmarks/flywheel/), one
invocation searches A with skills on (writing a skill on success), then B twice
at once: cold (no skills) and warm (A's skills). Each pair has its own skill
library; the pairs run at once (`--pairs-at-once`), sharing the GPU gate, so
timings never overlap. Speedups are against eager: the flywheel compares
searches with each other, so no torch.compile baseline is built.

For each pair it reports the cold and warm best, the evaluations each needed to
reach 95% of the cold best, and the warm curve's largest shortfall behind the
cold one at any evaluation count (best so far after k evaluations, in node id
order). A pair passes (issue 22's criteria) when the warm curve is never more
than 2% behind the cold one and, where the cold search needed 4 or more
evaluations to reach 95% of its best, the warm search reached it in at most a
quarter of them.

Usage (GPU): python scripts/flywheel.py OUT [--budget N] [--time-limit S]
             [--pair PREFIX ...] [--pairs-at-once N]
Default pairs: DEFAULT_PAIRS below. Writes OUT/flywheel.json and prints a table
last. CPU smoke run: `--device cpu --shrink` (the problems' `# test:` sizes; no
timing there, so no verdict and no skill).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAIRS_DIR = ROOT / "benchmarks" / "flywheel"
# Across regimes: short -> long rows (issue 22's pair), few -> many rows, a norm,
# a reduction (many short rows -> few long ones), a GEMM with an epilogue.
DEFAULT_PAIRS = ("log_softmax", "softmax_rows", "rms_norm", "row_sum", "linear_gelu")
TARGET = 0.95  # of the cold best
MAX_SHORTFALL_PCT = 2.0  # the warm curve may trail the cold one by this much (noise)
NEEDS_RATIO_FROM = 4  # cold evaluations from which the warm search must be 4x faster
RATIO = 0.25


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


def judge(cold: list[float], warm: list[float]) -> dict[str, Any]:
    """The figures and the verdict of one pair from its two B curves."""
    cold_best = max(cold, default=0.0)
    figures: dict[str, Any] = {
        "cold_best": cold_best,
        "warm_best": max(warm, default=0.0),
        "cold_evals": len(cold),
        "warm_evals": len(warm),
        "cold_evals_to_best": evals_to_reach(cold, cold_best) if cold_best else None,
        "cold_evals_to_95pct": evals_to_reach(cold, TARGET * cold_best) if cold_best else None,
        "warm_evals_to_95pct": evals_to_reach(warm, TARGET * cold_best) if cold_best else None,
        "max_shortfall_pct": None,
        "passes": None,
        "why": "",
    }
    if not cold_best:
        figures["why"] = "no timing (CPU, or no verified candidate): no verdict"
        return figures
    common = min(len(cold), len(warm))
    shortfalls = [100.0 * (cold[k] - warm[k]) / cold[k] for k in range(common) if cold[k] > 0]
    shortfall = max(shortfalls, default=0.0)
    figures["max_shortfall_pct"] = round(shortfall, 2)
    failures, notes = [], []
    if shortfall > MAX_SHORTFALL_PCT:
        at = 1 + max(range(common), key=lambda k: (cold[k] - warm[k]) / cold[k] if cold[k] else 0)
        failures.append(f"warm {shortfall:.1f}% behind cold at evaluation {at}")
    needed, warm_needed = figures["cold_evals_to_95pct"], figures["warm_evals_to_95pct"]
    if needed is not None and needed >= NEEDS_RATIO_FROM:
        if warm_needed is None or warm_needed > RATIO * needed:
            failures.append(
                f"warm reached 95% at {warm_needed or 'never'}, cold at {needed}: "
                f"more than {RATIO:.0%}"
            )
    else:
        notes.append(f"cold reached 95% at {needed} (< {NEEDS_RATIO_FROM}): no ratio to meet")
    if len(warm) < len(cold):
        notes.append(f"warm ran {len(warm)} evaluations, cold {len(cold)}")
    figures["passes"] = not failures
    figures["why"] = "; ".join(failures + notes)
    return figures


async def run_pair(
    name: str, problems: tuple[str, str], out: Path, budget: int, time_limit: float, device: str
) -> dict[str, Any]:
    from kernelwright.agent.api import SearchConfig
    from kernelwright.agent.search import run_search

    here = out / name
    skills = here / "skills"  # this pair's own library: pairs run at once

    def config(search: str, use_skills: bool) -> SearchConfig:
        return SearchConfig(
            budget=budget,
            time_limit_s=time_limit,
            device=device,
            store_path=str(here / f"{search}.sqlite"),
            out_dir=str(here / search),
            use_skills=use_skills,
            skills_dir=str(skills),
            parallel=3,
            compile_baseline=False,
        )

    problem_a, problem_b = problems
    first = await run_search(problem_a, config("a", use_skills=True))
    # Both B searches at once: they share the GPU gate, and each reads the skill
    # library before either writes to it.
    cold, warm = await asyncio.gather(
        run_search(problem_b, config("b_cold", use_skills=False)),
        run_search(problem_b, config("b_warm", use_skills=True)),
    )
    cold_curve, warm_curve = curve(cold), curve(warm)
    return {
        "problems": [str(p) for p in problems],
        "a_best": ((first.best or {}).get("speedup") or {}).get("vs_eager"),
        "a_curve": curve(first),
        **judge(cold_curve, warm_curve),
        "cold_curve": cold_curve,
        "warm_curve": warm_curve,
        "warm_moves": [n["move"] for n in sorted(warm.nodes, key=lambda n: n["id"])],
        "a_notes": first.notes,
        "b_warm_notes": warm.notes,
    }


async def run_pairs(
    pairs: dict[str, tuple[str, str]],
    out: Path,
    budget: int,
    time_limit: float,
    device: str,
    at_once: int,
) -> dict[str, Any]:
    slots = asyncio.Semaphore(max(at_once, 1))

    async def one(name: str) -> dict[str, Any]:
        async with slots:
            try:
                return await run_pair(name, pairs[name], out, budget, time_limit, device)
            except Exception as err:  # one pair's failure is that pair's row
                return {"problems": list(pairs[name]), "error": f"{type(err).__name__}: {err}"}

    results = await asyncio.gather(*(one(name) for name in pairs))
    return dict(zip(pairs, results))


def pair_files(prefixes: list[str], shrink_into: Path | None) -> dict[str, tuple[str, str]]:
    """name -> (A, B) problem paths; shrunk copies (their `# test:` sizes) on request."""
    pairs = {}
    for prefix in prefixes:
        base = Path(prefix) if ("/" in prefix or prefix.endswith(".py")) else PAIRS_DIR / prefix
        paths = [Path(f"{base}_{side}.py") for side in ("a", "b")]
        for path in paths:
            if not path.is_file():
                raise SystemExit(f"flywheel: no pair file {path}")
        if shrink_into is not None:
            from kernelwright.agent.sizes import shrink_source

            shrink_into.mkdir(parents=True, exist_ok=True)
            copies = [shrink_into / p.name for p in paths]
            for path, copy in zip(paths, copies):
                copy.write_text(shrink_source(path.read_text()))
            paths = copies
        pairs[base.name] = (str(paths[0]), str(paths[1]))
    return pairs


def table(results: dict[str, Any]) -> str:
    def speed(value) -> str:
        return f"{value:.3f}x" if value else "-"

    rows = [("pair", "cold best", "warm best", "cold@95%", "warm@95%", "shortfall", "verdict")]
    for name, r in results.items():
        if "error" in r:
            rows.append((name, "-", "-", "-", "-", "-", f"error: {r['error'][:60]}"))
            continue
        shortfall = r["max_shortfall_pct"]
        verdict = {True: "pass", False: "FAIL", None: "n/a"}[r["passes"]]
        rows.append(
            (
                name,
                speed(r["cold_best"]),
                speed(r["warm_best"]),
                f"{r['cold_evals_to_95pct'] or '-'}/{r['cold_evals']}",
                f"{r['warm_evals_to_95pct'] or '-'}/{r['warm_evals']}",
                f"{shortfall:.1f}%" if shortfall is not None else "-",
                verdict + (f" ({r['why']})" if r["why"] else ""),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths)) + "  " + row[-1]
        for row in rows
    )


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--budget", type=int, default=8)
    parser.add_argument("--time-limit", type=float, default=90.0)
    parser.add_argument("--device", default="cuda")
    parser.add_argument(
        "--pair",
        action="append",
        dest="pairs",
        help="a pair's name under benchmarks/flywheel (log_softmax) or path prefix "
        "(PREFIX_a.py, PREFIX_b.py); repeat for several (default: "
        + ", ".join(DEFAULT_PAIRS)
        + ")",
    )
    parser.add_argument(
        "--pairs-at-once", type=int, default=len(DEFAULT_PAIRS), help="pairs searched at once"
    )
    parser.add_argument(
        "--shrink", action="store_true", help="search the problems' `# test:` sizes (CPU runs)"
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> dict[str, Any]:
    args = parse(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    # nothing reaches the user's own skill library: each pair has its own under OUT
    os.environ["XDG_DATA_HOME"] = str(out / "data")
    pairs = pair_files(list(args.pairs or DEFAULT_PAIRS), out / "problems" if args.shrink else None)
    results = asyncio.run(
        run_pairs(pairs, out, args.budget, args.time_limit, args.device, args.pairs_at_once)
    )
    judged = [r for r in results.values() if r.get("passes") is not None]
    summary = {
        "settings": {
            "budget": args.budget,
            "time_limit_s": args.time_limit,
            "device": args.device,
            "pairs_at_once": args.pairs_at_once,
            "shrunk": args.shrink,
        },
        "criteria": {
            "target": TARGET,
            "max_shortfall_pct": MAX_SHORTFALL_PCT,
            "ratio": RATIO,
            "ratio_applies_from_cold_evals": NEEDS_RATIO_FROM,
        },
        "pairs": results,
        "passed": sum(1 for r in judged if r["passes"]),
        "judged": len(judged),
    }
    (out / "flywheel.json").write_text(json.dumps(summary, indent=2))
    print(table(results))
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
