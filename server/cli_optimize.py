"""`kernelwright optimize`: run a search with a live progress bar, then summarise."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal

from kernelwright.agent.api import SearchConfig, SearchEvent
from kernelwright.agent.search import run_search
from kernelwright.server.cli_render import describe_profile
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

console = Console(stderr=True)


def config_from_args(args: argparse.Namespace) -> SearchConfig:
    proposers = (
        tuple(p.strip() for p in args.proposers.split(",") if p.strip()) if args.proposers else None
    )
    return SearchConfig(
        budget=args.budget,
        time_limit_s=args.time_limit,
        strategy=args.strategy,
        proposers=proposers,
        device=args.device,
        store_path=args.store,
        out_dir=args.out,
        resume=args.resume,
        seed=args.seed,
        parallel=max(args.parallel, 1),
        use_skills=not args.no_skills,
        compile_mode=args.compile_mode,
        require_sandbox=args.require_sandbox,
        import_timeout_s=args.import_timeout,
        use_cache=not args.no_cache,
        executor=args.executor,
        ray_address=args.ray_address,
    )


def _speed(value: float | None) -> str:
    return f"{value:.2f}×" if value else "—"


def _shorten(text: str, width: int) -> str:
    """A cut line says so: "BLOCK_R=102" read as a value; "BLOCK_R=10…" does not."""
    return text if len(text) <= width else text[: width - 1] + "…"


async def _run_with_progress(problem: str, config: SearchConfig, quiet: bool):
    cancel = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, cancel.set)  # Ctrl-C: stop and report what we have
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} evaluated"),
        TextColumn("· {task.fields[failed]} failed · best {task.fields[best]}"),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
        transient=False,
    )
    task = progress.add_task("searching", total=config.budget, failed=0, best="—")
    state = {"best": "—"}

    def on_event(event: SearchEvent) -> None:
        # The bar appears with the search's first event: input the harness refuses
        # (a missing problem) gets its one error line and no empty bar above it.
        progress.start()
        if event.best_speedup:
            state["best"] = _speed(event.best_speedup)
        elif event.kind == "new_best":
            state["best"] = "verified (no timing on CPU)"
        progress.update(task, completed=event.evaluated, failed=event.failed, best=state["best"])
        if event.kind == "notice" and not quiet:
            progress.console.print(event.message, style="dim", markup=False)
        if event.kind == "evaluated" and event.node and not quiet:
            row = event.node
            speed = (row.get("speedup") or {}).get("vs_eager")
            progress.console.print(
                f"  {row['id']} {row['outcome']:<13} {_speed(speed):>7}  "
                f"[dim]{row['proposer']}/{row['memory']}: "
                f"{_shorten(row['move'] or '', 70)}[/dim]"
            )

    try:
        report = await run_search(problem, config, on_event, cancel)
    finally:
        progress.stop()
        loop.remove_signal_handler(signal.SIGINT)
    return report


def run_optimize(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kernelwright.harness.evaluate import BadInputError

    if args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        raise BadInputError(f"--out {args.out} is a file, not a folder")
    config = config_from_args(args)
    report = asyncio.run(_run_with_progress(args.problem, config, quiet=args.json))
    from kernelwright.agent.outputs import prepare_out_dir

    out_dir = prepare_out_dir(config.out_dir, args.problem, resume=True)
    data = json.loads((out_dir / "report.json").read_text())
    if args.json:
        print(json.dumps(data))
        return 0
    out = Console()
    best = report.best
    if best is None:
        out.print(
            f"[bold red]no verified candidate[/bold red] after {report.evaluated} "
            f"evaluations; see {out_dir / 'report.json'}"
        )
    else:
        speed = best.get("speedup") or {}
        out.print(
            f"[bold green]best {best['id']}[/bold green] ({best['proposer']}): "
            f"{_speed(speed.get('vs_eager'))} vs eager · "
            f"{_speed(speed.get('vs_compile'))} vs torch.compile · "
            f"{describe_profile(best.get('profile'))}"
        )
        if best.get("timing_note"):
            out.print(f"  {best['timing_note']}")
        out.print(f"  written: {out_dir / 'best.py'}, report.json, trajectories.jsonl")
    for note in report.notes:
        out.print(f"  {note}", style="dim", markup=False)
    return 0
