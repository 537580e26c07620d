"""`kernelwright bench DIR`: optimize every problem in a folder and tabulate.

Summary metrics follow KernelBench: fast_p is the fraction of problems whose
best generated kernel is verified and faster than the baseline by more than
p (fast_0: verified at all); geometric means of speedups over problems with
a verified kernel.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kernelwright.agent.api import SearchConfig
from kernelwright.agent.search import FIRST_RESULT_GRACE_S, run_search
from kernelwright.harness.evaluate import BadInputError, package_versions
from kernelwright.harness.messages import FASTER_BY
from kernelwright.harness.static_checks import problem_shape


def find_problems(folder: Path, name_filter: str | None) -> list[Path]:
    if not folder.is_dir():
        raise BadInputError(f"not a folder: {folder}")
    try:
        pattern = re.compile(name_filter) if name_filter else None
    except re.error as err:
        raise BadInputError(
            f"--filter {name_filter!r} is not a regular expression: {err}"
        ) from None
    problems = [
        p
        for p in sorted(folder.glob("*.py"))
        if problem_shape(p.read_text()) is None and (pattern is None or pattern.search(p.name))
    ]
    if not problems:
        raise BadInputError(f"no KernelBench-format problem files in {folder}")
    return problems


def category(source: str) -> str:
    """A problem declares `CATEGORY = "fusion"` (or "single") at module level."""
    for line in source.splitlines():
        if line.replace(" ", "").startswith("CATEGORY="):
            return line.split("=", 1)[1].split("#")[0].strip().strip("'\"")
    return "single"


def row_for(problem: Path, report: dict[str, Any], seconds: float) -> dict[str, Any]:
    best = report.get("best") or {}
    speed = best.get("speedup") or {}
    profile = best.get("profile") or {}
    ref_profile = ((report.get("reference") or {}).get("profile")) or {}
    return {
        "problem": problem.name,
        "category": category(problem.read_text()),
        "verified": best.get("outcome") == "ok",
        "evaluated": report.get("evaluated"),
        "vs_eager": speed.get("vs_eager"),
        "vs_compile": speed.get("vs_compile"),
        "best_ms": (best.get("timing") or {}).get("median_ms"),
        "eager_ms": (best.get("baseline") or {}).get("eager_ms"),
        "compile_ms": (best.get("baseline") or {}).get("compile_ms"),
        "bottleneck": profile.get("bottleneck"),
        "pct_peak_bw": profile.get("pct_peak_bw"),
        "pct_peak_flops": profile.get("pct_peak_flops"),
        "intensity": profile.get("arithmetic_intensity"),
        "best_tflops": profile.get("achieved_tflops"),
        "best_gbps": profile.get("achieved_gbps"),
        "ref_tflops": ref_profile.get("achieved_tflops"),
        "ref_gbps": ref_profile.get("achieved_gbps"),
        "ref_pct_peak_bw": ref_profile.get("pct_peak_bw"),
        "best_id": best.get("id"),
        "move": best.get("move"),
        "seconds": seconds,
        **eval_seconds(report.get("nodes") or []),
        "gpu_memory_over_estimate_max": _over_estimate(report.get("nodes") or []),
    }


def _over_estimate(nodes: list[dict[str, Any]]) -> float | None:
    """The largest ratio of an evaluation's measured GPU memory to its admitted
    footprint (harness/memory.py usage): above 1, admission under-booked."""
    ratios = [(n.get("gpu_memory") or {}).get("over_estimate") for n in nodes]
    measured = [r for r in ratios if r is not None]
    return max(measured) if measured else None


# Where an evaluation's wall time goes (harness/pool.py clocks the first group, the
# worker its pipeline phases, harness/worker.py the judge's replay).
EVAL_PARTS = ("starting", "waiting:memory", "shared", "compiling", "exclusive", "ending", "judge")
EVAL_PHASES = (
    "load",
    "compile",
    "compile:shared",
    "verify",
    "time",
    "time:streams",
    "time:gpu-wait",
    "time:timing",
    "time:profile",
    "reverify",
)


def eval_seconds(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """Median wall time of one evaluation, of its wait for the GPU, and of each of its
    parts: why a search was slow."""
    spent = [n["seconds"] for n in nodes if n.get("seconds")]
    total = _median([s.get("total") for s in spent])
    waiting = _median([s.get("waiting", 0.0) for s in spent])
    parts = {name: _median([s.get(name) for s in spent]) for name in EVAL_PARTS}
    parts.update(
        {name: _median([(s.get("phases") or {}).get(name) for s in spent]) for name in EVAL_PHASES}
    )
    return {
        "eval_s_median": None if total is None else round(total, 2),
        "gpu_wait_s_median": None if waiting is None else round(waiting, 2),
        "eval_parts_s_median": {k: round(v, 2) for k, v in parts.items() if v is not None},
    }


def _geomean(values: list[float]) -> float | None:
    values = [v for v in values if v]
    return math.exp(statistics.fmean(math.log(v) for v in values)) if values else None


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows)
    verified = [r for r in rows if r["verified"]]
    timed = [r for r in verified if r["vs_eager"]]
    fusion = [r for r in timed if r["category"] == "fusion"]
    memory = [
        r["pct_peak_bw"]
        for r in timed
        if r["bottleneck"] == "memory-bound" and r["pct_peak_bw"] is not None
    ]
    return {
        "problems": n,
        "fast_0": len(verified) / n if n else None,
        "fast_1_vs_eager": sum(1 for r in timed if r["vs_eager"] > 1) / n if timed else None,
        "fast_1_vs_compile": sum(1 for r in timed if (r["vs_compile"] or 0) > 1) / n
        if timed
        else None,
        "geomean_vs_eager": _geomean([r["vs_eager"] for r in timed]),
        "geomean_vs_compile": _geomean([r["vs_compile"] for r in timed]),
        # What a user ends up with: the best candidate where it is offered (faster by
        # FASTER_BY), else the current code kept, at 1.00 (no candidate is offered).
        "offered_faster": sum(1 for r in timed if r["vs_eager"] >= FASTER_BY),
        "geomean_vs_eager_as_offered": _geomean(
            [r["vs_eager"] if r["vs_eager"] >= FASTER_BY else 1.0 for r in timed]
        ),
        "fusion_geomean_vs_eager": _geomean([r["vs_eager"] for r in fusion]),
        "fusion_geomean_vs_compile": _geomean([r["vs_compile"] for r in fusion]),
        "memory_bound_median_pct_peak_bw": statistics.median(memory) if memory else None,
        # how far the searches got: evaluations, and a typical one's wall time and GPU wait
        "evaluations": sum(r.get("evaluated") or 0 for r in rows),
        "evaluations_per_minute": _per_minute(rows),
        "eval_s_median_of_rows": _median([r.get("eval_s_median") for r in rows]),
        "gpu_wait_s_median_of_rows": _median([r.get("gpu_wait_s_median") for r in rows]),
        # above 1: some evaluation needed more GPU memory than admission booked for it
        "gpu_memory_over_estimate_max": max(
            (
                r["gpu_memory_over_estimate_max"]
                for r in rows
                if r.get("gpu_memory_over_estimate_max")
            ),
            default=None,
        ),
        **{
            f"eval_{part}_s_median_of_rows": _median(
                [(r.get("eval_parts_s_median") or {}).get(part) for r in rows]
            )
            for part in (*EVAL_PARTS, *EVAL_PHASES)
        },
    }


def _per_minute(rows: list[dict[str, Any]]) -> float | None:
    """Evaluations finished per minute of the searching stage (from the bench's start to
    its last search's end: searches overlap, and queue behind --concurrency)."""
    wall = max((r.get("ended_s") or 0.0 for r in rows), default=0.0)
    done = sum(r.get("evaluated") or 0 for r in rows)
    return round(done / (wall / 60), 2) if wall else None


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _fmt(value: Any, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def offered(row: dict[str, Any]) -> str:
    """What the editor does with the row's best candidate: offers it where it was timed
    faster by FASTER_BY (server/actions.py), keeps the user's code where it was not (a
    bare convolution's Triton kernel at 0.57x cuDNN is measured, and not offered)."""
    if not row.get("verified") or not row.get("vs_eager"):
        return "—"
    return "yes" if row["vs_eager"] >= FASTER_BY else "keeps yours"


def markdown(rows: list[dict[str, Any]], summary: dict[str, Any], meta: dict[str, Any]) -> str:
    lines = [
        f"# kernelwright bench — {meta['device']}",
        "",
        f"- date: {meta['date']}",
        f"- versions: {json.dumps(meta['versions'])}",
        f"- command: `{meta['command']}`",
        *([f"- stage: {meta['stage']}"] if meta.get("stage") else []),
        "",
        "| problem | cat | verified | evals | best ms | eager ms | compile ms | vs eager "
        "| vs compile | offered | bottleneck | % peak BW | % peak FLOP/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['problem']} | {r['category']} | {'yes' if r['verified'] else 'NO'} | "
            f"{r['evaluated']} | {_fmt(r['best_ms'], '.4f')} | {_fmt(r['eager_ms'], '.4f')} | "
            f"{_fmt(r['compile_ms'], '.4f')} | {_fmt(r['vs_eager'], '.2f')} | "
            f"{_fmt(r['vs_compile'], '.2f')} | {offered(r)} | {r['bottleneck'] or '—'} | "
            f"{_fmt(r['pct_peak_bw'], '.0f')} | {_fmt(r['pct_peak_flops'], '.0f')} |"
        )
    lines += ["", "| metric | value |", "|---|---|"]
    for key, value in summary.items():
        lines.append(f"| {key} | {_fmt(value, '.3f') if isinstance(value, float) else value} |")
    return "\n".join(lines) + "\n"


async def _search_all(
    problems: list[Path], args: argparse.Namespace, out: Path, executor: Any = None
) -> list[dict[str, Any]]:
    """Several problems at once: their compiles overlap, their timings take turns on the GPU.

    With a Ray executor every search sends its candidates to the same actors, one per
    GPU of the cluster, each to the least loaded: the problems spread over the GPUs."""
    slots = asyncio.Semaphore(max(args.concurrency, 1))
    bench_started = time.monotonic()

    async def one(problem: Path) -> dict[str, Any]:
        # The torch.compile baseline is timed after all searches (`_time_baselines`):
        # max-autotune benchmarks with the GPU to itself, and inside a search it
        # held the GPU for minutes while other problems' candidates waited (on an
        # H100, six problems ended their 2 minutes with no candidate timed).
        config = SearchConfig(
            budget=args.budget,
            time_limit_s=args.time_limit,
            strategy=args.strategy,
            device=args.device,
            store_path=args.store,
            out_dir=str(out / problem.stem),
            use_skills=not args.no_skills,
            parallel=args.parallel,
            compile_mode=args.compile_mode,
            require_sandbox=args.require_sandbox,
            import_timeout_s=args.import_timeout,
            compile_baseline=False,
            executor=getattr(args, "executor", "local"),
            ray_address=getattr(args, "ray_address", None),
        )
        async with slots:
            started = time.monotonic()
            try:
                # Twice the limit and the first-verdict grace: the search stops itself;
                # this only guards the table against a problem that hangs the harness.
                await asyncio.wait_for(
                    run_search(str(problem), config, executor=executor),
                    args.time_limit * 2 + FIRST_RESULT_GRACE_S,
                )
                data = json.loads((out / problem.stem / "report.json").read_text())
            except Exception as err:  # one problem's failure is a row, not the end of the bench
                data = {"best": None, "evaluated": 0, "error": f"{type(err).__name__}: {err}"}
            row = row_for(problem, data, time.monotonic() - started)
            row["error"] = data.get("error")
            row["ended_s"] = round(time.monotonic() - bench_started, 2)
        with open(out / "rows.jsonl", "a") as handle:  # survives an interrupted bench
            handle.write(json.dumps(row) + "\n")
        print(
            json.dumps(
                {
                    "problem": problem.name,
                    **{
                        k: row[k]
                        for k in (
                            "verified",
                            "evaluated",
                            "vs_eager",
                            "vs_compile",
                            "bottleneck",
                            "pct_peak_bw",
                            "seconds",
                            "eval_s_median",
                            "gpu_wait_s_median",
                            "eval_parts_s_median",
                        )
                    },
                }
            ),
            flush=True,
        )
        return row

    rows = list(await asyncio.gather(*(one(p) for p in problems)))
    # A table now, from the searches' own figures: the baselines take minutes and
    # a bench stopped among them (a device call's time limit) still leaves one.
    write_tables(
        rows,
        problems,
        args,
        out,
        stage="searches done; torch.compile baselines not timed yet (vs compile is empty)",
    )
    return await _time_baselines(problems, rows, args, out, executor)


async def _time_baselines(
    problems: list[Path],
    rows: list[dict[str, Any]],
    args: argparse.Namespace,
    out: Path,
    executor: Any = None,
) -> list[dict[str, Any]]:
    """Each verified best, timed once more beside eager and torch.compile, one at a time
    per GPU (a Ray executor's GPUs take one each at once).

    This is the row's final word: its timings, speedups and profile come from
    this evaluation (the search's own figure stays as `search_vs_eager`).
    """
    from kernelwright.harness.evaluate import Harness, resolve_device
    from kernelwright.harness.pool import Limits, WorkerPool
    from kernelwright.harness.store import Store

    if resolve_device(args.device) != "cuda":
        return rows
    # The next baseline's worker starts (imports torch) while this one runs: on the
    # H200, the part of a search evaluation outside the GPU gate (mostly starting
    # its worker) was about 9 s, and the baselines run one after another.
    pool = executor or WorkerPool(parallel=1, prestart=True)
    harness = Harness(store=Store(args.store), pool=pool, limits=Limits(timeout_s=600.0))
    try:
        await _each_baseline(harness, problems, rows, args, out, getattr(executor, "gpus", 1))
    finally:
        if executor is None:  # the bench closes its own
            await pool.close()
    return rows


async def _each_baseline(
    harness: Any,
    problems: list[Path],
    rows: list[dict[str, Any]],
    args: argparse.Namespace,
    out: Path,
    at_once: int = 1,
) -> None:
    turns = asyncio.Semaphore(max(at_once, 1))

    async def one(problem: Path, row: dict[str, Any]) -> None:
        async with turns:
            await _one_baseline(harness, problem, row, args, out)

    await asyncio.gather(*(one(problem, row) for problem, row in zip(problems, rows)))


async def _one_baseline(
    harness: Any, problem: Path, row: dict[str, Any], args: argparse.Namespace, out: Path
) -> None:
    best_file = out / problem.stem / "best.py"
    if not row["verified"] or not best_file.exists():
        return
    started = time.monotonic()
    try:
        final = await harness.evaluate(
            str(problem),
            best_file.read_text(),
            "cuda",
            use_cache=False,
            compile_baseline=True,
            compile_mode=args.compile_mode,
        )
    except Exception as err:  # the row keeps the search's figures, and says why
        row["baseline_error"] = f"{type(err).__name__}: {err}"
        return
    (out / problem.stem / "final_eval.json").write_text(json.dumps(final.to_dict(), indent=2))
    row.update(final_row(final.to_dict(), row))
    row["baseline_seconds"] = time.monotonic() - started  # torch.compile's autotune included
    with open(out / "rows.jsonl", "a") as handle:
        handle.write(json.dumps(row) + "\n")
    print(
        json.dumps(
            {
                "problem": problem.name,
                "final": final.outcome,
                "vs_eager": row["vs_eager"],
                "vs_compile": row["vs_compile"],
                "seconds": row["baseline_seconds"],
            }
        ),
        flush=True,
    )


def final_row(final: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """The row's figures from the final evaluation (a failure there un-verifies the row)."""
    if final.get("outcome") != "ok":
        return {
            "verified": False,
            "search_vs_eager": row.get("vs_eager"),
            "vs_eager": None,
            "vs_compile": None,
            "final_note": f"final evaluation: {final.get('outcome')}: {final.get('message')}",
        }
    speed = final.get("speedup") or {}
    profile = final.get("profile") or {}
    baseline = final.get("baseline") or {}
    return {
        "search_vs_eager": row.get("vs_eager"),
        "vs_eager": speed.get("vs_eager"),
        "vs_compile": speed.get("vs_compile"),
        "best_ms": (final.get("timing") or {}).get("median_ms"),
        "eager_ms": baseline.get("eager_ms"),
        "compile_ms": baseline.get("compile_ms"),
        "bottleneck": profile.get("bottleneck"),
        "pct_peak_bw": profile.get("pct_peak_bw"),
        "pct_peak_flops": profile.get("pct_peak_flops"),
        "best_tflops": profile.get("achieved_tflops"),
        "best_gbps": profile.get("achieved_gbps"),
    }


def write_tables(
    rows: list[dict[str, Any]],
    problems: list[Path],
    args: argparse.Namespace,
    out: Path,
    stage: str | None = None,
) -> str:
    """bench.json, bench.md and roofline.png for the rows so far; returns the markdown."""
    summary = summarise(rows)
    reports = [out / p.stem / "report.json" for p in problems]
    first: dict[str, Any] = next((json.loads(r.read_text()) for r in reports if r.exists()), {})
    peaks = ((first.get("reference") or {}).get("profile") or {}).get("peaks")
    meta = {
        "device": (peaks or {}).get("name", first.get("device")),
        "date": datetime.now(UTC).isoformat(),
        "versions": package_versions(),
        "peaks": peaks,
        "compile_mode": args.compile_mode,
        "command": f"kernelwright bench {args.dir} --time-limit {args.time_limit:g} "
        f"--budget {args.budget} --concurrency {args.concurrency} "
        f"--parallel {args.parallel} --compile-mode {args.compile_mode} "
        + (f"--filter '{args.filter}' " if args.filter else "")
        + _executor_flags(args)
        + f"--out {args.out}",
    }
    if stage:
        meta["stage"] = stage
    (out / "bench.json").write_text(
        json.dumps({"meta": meta, "summary": summary, "rows": rows}, indent=2)
    )
    text = markdown(rows, summary, meta)
    (out / "bench.md").write_text(text)
    from kernelwright.agent.roofline import plot_roofline

    plot_roofline(rows, peaks, out / "roofline.png")
    return text


def _executor_flags(args: argparse.Namespace) -> str:
    if getattr(args, "executor", "local") == "local":
        return ""
    address = getattr(args, "ray_address", None)
    return f"--executor {args.executor} " + (f"--ray-address {address} " if address else "")


def run_bench(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    problems = find_problems(folder, args.filter)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise BadInputError(f"--out {out} is a file, not a folder")
    # One executor for the whole bench, joined before anything runs: an unreachable
    # cluster is one line and exit 2, not a failed row per problem. The local one
    # stays per search (each search's own pool, as before).
    executor = None
    if getattr(args, "executor", "local") == "local" and getattr(args, "ray_address", None):
        raise BadInputError("--ray-address needs --executor ray")
    if getattr(args, "executor", "local") != "local":
        from kernelwright.harness.evaluate import resolve_device
        from kernelwright.harness.executors import make_executor

        executor = make_executor(
            args.executor, args.ray_address, device=resolve_device(args.device)
        )
    if args.concurrency is None:
        args.concurrency = getattr(executor, "gpus", 1)  # Ray: one problem per GPU at once
    out.mkdir(parents=True, exist_ok=True)
    (out / "rows.jsonl").unlink(missing_ok=True)
    rows = asyncio.run(_bench(problems, args, out, executor))
    print(write_tables(rows, problems, args, out))
    return 0


async def _bench(
    problems: list[Path], args: argparse.Namespace, out: Path, executor: Any
) -> list[dict[str, Any]]:
    try:
        return await _search_all(problems, args, out, executor)
    finally:
        if executor is not None:
            await executor.close()
