"""Probe the embedded generator on a GPU: the first few proposals of every problem, no search.

Usage (on a GPU machine): python scripts/gpu_probe.py OUT_DIR [COUNT] [REGEX]
Per problem: capture, profile the reference, then evaluate the generator's first
COUNT proposals (default config first) against eager. Writes OUT_DIR/probe.jsonl
(one line per candidate, with the config) and prints a compact table last.
It answers "which templates and configs are slow or wrong on this device"
before a full `kernelwright bench` spends its time on them.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import time
from pathlib import Path

from kernelwright.agent.proposers.base import ProposalContext, ProposerError
from kernelwright.agent.proposers.embedded import EmbeddedProposer
from kernelwright.harness.evaluate import Harness
from kernelwright.harness.pool import WorkerPool
from kernelwright.harness.store import Store

PROBLEMS = Path(os.environ.get("KERNELWRIGHT_PROBE_PROBLEMS", "")
                or Path(__file__).resolve().parents[1] / "benchmarks" / "problems")
DEVICE = os.environ.get("KERNELWRIGHT_PROBE_DEVICE", "cuda")  # "cpu" only to smoke-test this script


async def probe_problem(harness: Harness, path: Path, count: int, sink) -> list[dict]:
    graph = await harness.capture(str(path))
    reference = await harness.profile(str(path), DEVICE, compile_baseline=False)
    peaks = (reference.get("profile") or {}).get("peaks") or {}
    ctx = ProposalContext(problem_path=str(path), problem_source=path.read_text(), graph=graph,
                          device={"kind": DEVICE, "name": peaks.get("name"), "peaks": peaks,
                                  "sm_count": peaks.get("sm_count")},
                          parent=None, memory="clean_slate", memory_context=(), knowledge=(),
                          count=count)
    try:
        proposals = EmbeddedProposer().propose_sync(ctx)
    except ProposerError as error:
        row = {"problem": path.name, "rank": 0, "outcome": "no-proposal", "message": str(error)}
        sink(row)
        return [row]

    async def one(rank: int, proposal) -> dict:
        begin = time.perf_counter()
        result = await harness.evaluate(str(path), proposal.source, DEVICE,
                                        use_cache=False, compile_baseline=False)
        prof = result.profile or {}
        row = {"problem": path.name, "rank": rank, "config": proposal.config,
               "family": proposal.meta.get("family"), "outcome": result.outcome,
               "message": result.message[:300], "flags": result.flags,
               "cand_ms": (result.timing or {}).get("median_ms"),
               "eager_ms": (reference.get("timing") or {}).get("median_ms"),
               "vs_eager": (result.speedup or {}).get("vs_eager"),
               "pct_bw": prof.get("pct_peak_bw"), "pct_flops": prof.get("pct_peak_flops"),
               "bottleneck": prof.get("bottleneck"), "triton": prof.get("triton_kernels"),
               "wall_s": round(time.perf_counter() - begin, 1)}
        sink(row)
        return row

    return await asyncio.gather(*(one(i, p) for i, p in enumerate(proposals)))


async def main(out: Path, count: int, pattern: str) -> None:
    harness = Harness(store=Store(out / "store.sqlite"), pool=WorkerPool(parallel=8))
    await harness.peaks(DEVICE)
    log = (out / "probe.jsonl").open("w")

    def sink(row: dict) -> None:
        log.write(json.dumps(row) + "\n")
        log.flush()

    paths = [p for p in sorted(PROBLEMS.glob("[0-9][0-9]_*.py")) if re.search(pattern, p.name)]
    slots = asyncio.Semaphore(4)

    async def guarded(path: Path) -> list[dict]:
        async with slots:
            try:
                return await probe_problem(harness, path, count, sink)
            except Exception as error:  # one problem's failure must not end the probe
                row = {"problem": path.name, "rank": 0, "outcome": "probe-error",
                       "message": repr(error)[:300]}
                sink(row)
                return [row]

    groups = await asyncio.gather(*(guarded(p) for p in paths))
    print("| problem | best rank | outcomes | best ms | eager ms | best vs eager | % BW | % FLOP |")
    print("|---|---|---|---|---|---|---|---|")
    for rows in groups:
        ok = [r for r in rows if r.get("outcome") == "ok" and r.get("cand_ms")]
        best = min(ok, key=lambda r: r["cand_ms"]) if ok else None
        outcomes = ",".join(r["outcome"] for r in rows)

        def f(v, spec=".3f"):
            return "—" if v is None else format(v, spec)

        if best:
            print(f"| {rows[0]['problem']} | {best['rank']} | {outcomes} | {f(best['cand_ms'])} | "
                  f"{f(best['eager_ms'])} | {f(best['vs_eager'], '.2f')} | "
                  f"{f(best['pct_bw'], '.0f')} | {f(best['pct_flops'], '.0f')} |")
        else:
            print(f"| {rows[0]['problem']} | — | {outcomes} | — | — | — | — | — |")


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "kw-probe")
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(target, int(sys.argv[2]) if len(sys.argv) > 2 else 3,
                     sys.argv[3] if len(sys.argv) > 3 else "."))
