"""How much of a problem corpus the embedded generator covers: candidates and verified.

    python scripts/corpus_report.py benchmarks/corpus --verify --out corpus.json

For each KernelBench-format problem in the folder (at its `# test:` sizes, as
agent/sizes.py writes them, unless --real-sizes): capture the reference in a
sandboxed harness worker, ask the embedded proposer for its first candidate
(the default config; several kernels where one template cannot cover the graph),
and with --verify evaluate that candidate through the harness (every check a
search applies). Prints, per CLASS (a module-level constant in each file), how
many problems got a candidate and how many a verified one, then every problem
without one and the sentence it got. Problem code runs only in harness workers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from kernelwright.agent.proposers.base import ProposalContext, ProposerError
from kernelwright.agent.proposers.embedded import EmbeddedProposer
from kernelwright.agent.sizes import shrink_source
from kernelwright.harness.evaluate import Harness
from kernelwright.harness.pool import Limits, WorkerPool

_CLASS = re.compile(r"^CLASS\s*=\s*['\"](\w+)['\"]", re.MULTILINE)


def problem_class(source: str) -> str:
    found = _CLASS.search(source)
    return found.group(1) if found else "unclassified"


async def _one(harness: Harness, path: Path, source: str, device: str, verify: bool) -> dict:
    row = {"problem": path.name, "class": problem_class(source)}
    started = time.monotonic()
    graph = await harness.capture(str(path))
    context = ProposalContext(
        problem_path=str(path),
        problem_source=source,
        graph=graph,
        device={"name": device, "kind": device, "peaks": None},
        parent=None,
        memory="clean_slate",
        memory_context=(),
        knowledge=(),
    )
    try:
        proposal = EmbeddedProposer().propose_sync(context)[0]
    except ProposerError as why:
        row.update(candidate=False, verified=False, reason=str(why))
        return row
    row.update(candidate=True, family=proposal.meta.get("family"), op=proposal.meta.get("op"))
    if verify:
        result = await harness.evaluate(str(path), proposal.source, device=device)
        row.update(
            verified=result.outcome == "ok",
            outcome=result.outcome,
            flags=result.flags,
            reason=(result.message or "").splitlines()[0][:300] if result.outcome != "ok" else "",
        )
    row["seconds"] = round(time.monotonic() - started, 1)
    return row


async def _run(paths: list[Path], folder: Path, args) -> list[dict]:
    harness = Harness(
        pool=WorkerPool(parallel=args.parallel), limits=Limits(timeout_s=args.timeout)
    )
    gate = asyncio.Semaphore(args.parallel)
    done = 0

    async def guarded(path: Path) -> dict:
        nonlocal done
        source = path.read_text()
        target = path if args.real_sizes else folder / path.name
        if not args.real_sizes:
            target.write_text(shrink_source(source))
        async with gate:
            try:
                row = await _one(harness, target, source, args.device, args.verify)
            except Exception as error:  # noqa: BLE001 -- one problem's failure is its row
                row = {
                    "problem": path.name,
                    "class": problem_class(source),
                    "candidate": False,
                    "verified": False,
                    "reason": f"{type(error).__name__}: {error}",
                }
        done += 1
        mark = "verified" if row.get("verified") else "candidate" if row["candidate"] else "none"
        print(f"[{done}/{len(paths)}] {path.name}: {mark}", file=sys.stderr, flush=True)
        return row

    return await asyncio.gather(*(guarded(p) for p in paths))


def summary(rows: list[dict], verify: bool) -> str:
    classes = sorted({r["class"] for r in rows})
    lines = ["| class | problems | candidate | verified |", "|---|---:|---:|---:|"]
    for name in classes + ["all"]:
        group = [r for r in rows if name in ("all", r["class"])]
        candidates = sum(r["candidate"] for r in group)
        verified = sum(bool(r.get("verified")) for r in group)
        lines.append(
            f"| {name} | {len(group)} | {candidates} ({100 * candidates / len(group):.1f}%) | "
            + (f"{verified} ({100 * verified / len(group):.1f}%) |" if verify else "not run |")
        )
    missing = [r for r in rows if not r["candidate"]]
    if missing:
        lines += ["", "No candidate:"] + [f"- {r['problem']}: {r['reason']}" for r in missing]
    failed = [r for r in rows if r["candidate"] and verify and not r.get("verified")]
    if failed:
        lines += ["", "Candidate not verified:"]
        lines += [f"- {r['problem']} ({r.get('outcome')}): {r.get('reason')}" for r in failed]
    families = Counter(r.get("family") for r in rows if r["candidate"])
    lines += [
        "",
        "Candidates by family: " + ", ".join(f"{k} {v}" for k, v in families.most_common()),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, nargs="?", default=Path("benchmarks/corpus"))
    parser.add_argument("--verify", action="store_true", help="evaluate each first candidate")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--real-sizes", action="store_true", help="keep the files' own sizes")
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per worker job")
    parser.add_argument("--filter", default="", help="only files whose name matches this regex")
    parser.add_argument("--out", type=Path, help="write every row as JSON here")
    args = parser.parse_args(argv)
    paths = [p for p in sorted(args.folder.glob("*.py")) if re.search(args.filter, p.name)]
    if not paths:
        parser.error(f"no problem files in {args.folder}")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kw-corpus-") as folder:
        rows = asyncio.run(_run(paths, Path(folder), args))
    rows.sort(key=lambda r: r["problem"])
    if args.out:
        args.out.write_text(
            json.dumps(
                {
                    "device": args.device,
                    "real_sizes": args.real_sizes,
                    "seconds": round(time.monotonic() - started),
                    "rows": rows,
                },
                indent=1,
            )
        )
    print(summary(rows, args.verify))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
