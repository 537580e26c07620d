"""A few minutes' GPU check before a bench spends its device time.

For each named problem, the embedded generator's first root candidates (the
default config, then whatever the root proposes next) are verified and timed
once through the harness, eager beside them, no search and no torch.compile.
It answers: does every template still compile and pass on this GPU, and how
fast is the candidate a short search starts from?

Usage (GPU): python scripts/gpu_probe.py OUT PREFIX [PREFIX ...] [--count N] [--parallel P]
  PREFIX: how a problem's file name starts (benchmarks/problems: its two digits).
  --configs FILE: a JSON object {PREFIX: [config, ...]} evaluated instead of that
  problem's root candidates (a config outside the problem's space is skipped, said so).
  The key "*" gives configs for every PREFIX without its own.
CPU smoke test: --device cpu --problems tests/problems small_softmax (no timings there).
Writes OUT/probe.json and prints one line per candidate, then a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = ROOT / "benchmarks" / "problems"


async def probe_one(
    harness, path: Path, kind: str, count: int, configs: list[dict] | None
) -> list[dict]:
    from kernelwright.agent.generator import config_space, plan, render
    from kernelwright.agent.proposers.base import Proposal, ProposalContext, ProposerError
    from kernelwright.agent.proposers.embedded import EmbeddedProposer
    from kernelwright.agent.search import device_info

    graph = await harness.capture(str(path))
    # the device as a search sees it, from the reference's profile (its TF32 use included)
    device = device_info(kind, await harness.profile(str(path), kind, compile_baseline=False))
    if configs:
        found = plan(graph)
        space = config_space(found, device)
        for config in configs:
            if config not in space:
                print(f"{path.name}: not in its space, skipped: {config}", flush=True)
        proposals = [
            Proposal(source=render(found, c), proposer="probe", move=f"given: {c}", config=c)
            for c in configs
            if c in space
        ]
    else:
        ctx = ProposalContext(
            problem_path=str(path),
            problem_source=path.read_text(),
            graph=graph,
            device=device,
            parent=None,
            memory="parent",
            memory_context=(),
            knowledge=(),
            count=count,
        )
        try:
            proposals = EmbeddedProposer().propose_sync(ctx)
        except ProposerError as err:
            return [{"problem": path.name, "outcome": "proposer_error", "message": str(err)}]

    async def evaluate(proposal) -> dict:
        started = time.monotonic()
        result = await harness.evaluate(
            str(path), proposal.source, device["kind"], use_cache=False, compile_baseline=False
        )
        profile = result.profile or {}
        row = {
            "problem": path.name,
            "move": proposal.move,
            "config": proposal.config,
            "outcome": result.outcome,
            "message": (result.message or "")[:300],
            "vs_eager": (result.speedup or {}).get("vs_eager"),
            "ms": (result.timing or {}).get("median_ms"),
            "pct_peak_bw": profile.get("pct_peak_bw"),
            "pct_peak_flops": profile.get("pct_peak_flops"),
            "bottleneck": profile.get("bottleneck"),
            "seconds": result.seconds,
            "wall_s": round(time.monotonic() - started, 1),
        }
        print(
            json.dumps(
                {
                    k: row[k]
                    for k in ("problem", "outcome", "vs_eager", "ms", "pct_peak_bw", "wall_s")
                }
            ),
            flush=True,
        )
        return row

    return list(await asyncio.gather(*(evaluate(p) for p in proposals)))


async def main(
    prefixes: list[str],
    count: int,
    parallel: int,
    kind: str,
    problems: Path,
    configs: dict[str, list[dict]],
) -> list[dict]:
    from kernelwright.harness.evaluate import Harness
    from kernelwright.harness.pool import Limits, WorkerPool

    pool = WorkerPool(parallel=parallel, prestart=True)
    harness = Harness(store=None, pool=pool, limits=Limits(timeout_s=180.0))
    try:
        paths = [sorted(problems.glob(f"{prefix}*.py"))[0] for prefix in prefixes]
        groups = await asyncio.gather(
            *(
                probe_one(harness, p, kind, count, configs.get(prefix, configs.get("*")))
                for prefix, p in zip(prefixes, paths)
            )
        )
    finally:
        await pool.close()
    return [row for group in groups for row in group]


def _fmt(value, spec: str) -> str:
    return format(value, spec) if isinstance(value, (int, float)) else "—"


def table(rows: list[dict]) -> str:
    lines = [
        "| problem | outcome | vs eager | ms | % BW | % FLOP/s | move |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['problem'][:28]} | {r['outcome']} | {_fmt(r.get('vs_eager'), '.2f')} | "
            f"{_fmt(r.get('ms'), '.4f')} | {_fmt(r.get('pct_peak_bw'), '.0f')} | "
            f"{_fmt(r.get('pct_peak_flops'), '.0f')} | {(r.get('move') or r.get('message', ''))[:60]} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("prefixes", nargs="+")
    parser.add_argument("--count", type=int, default=2, help="root candidates per problem")
    parser.add_argument("--parallel", type=int, default=6, help="worker processes")
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    parser.add_argument("--problems", type=Path, default=PROBLEMS)
    parser.add_argument("--configs", type=Path, help="JSON {PREFIX: [config, ...]}")
    args = parser.parse_args()
    given = json.loads(args.configs.read_text()) if args.configs else {}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = asyncio.run(
        main(args.prefixes, args.count, args.parallel, args.device, args.problems, given)
    )
    (out / "probe.json").write_text(json.dumps(rows, indent=2, default=str))
    print(table(rows))
