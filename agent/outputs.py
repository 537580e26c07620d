"""What a search leaves on disk: best.py, report.json, trajectories.jsonl."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kernelwright.agent.api import SearchReport
from kernelwright.agent.tree import Node, Tree


def prepare_out_dir(out_dir: str | None, problem_path: str, resume: bool) -> Path:
    path = Path(out_dir) if out_dir else Path("kw-out") / Path(problem_path).stem
    path.mkdir(parents=True, exist_ok=True)
    trajectories = path / "trajectories.jsonl"
    if not resume and trajectories.exists():
        trajectories.unlink()
    return path


def append_trajectory(
    out_dir: Path, node: Node, tree: Tree, meta: dict[str, Any] | None = None
) -> None:
    """One line per evaluated node: the context it was built from, the proposal, the result."""
    context = [
        {
            "id": c.id,
            "outcome": c.outcome,
            "speedup": c.speedup,
            "move": c.move,
            "message": (c.result or {}).get("message"),
        }
        for c in (tree.get(i) for i in node.context_ids)
        if c is not None
    ]
    line = {
        "id": node.id,
        "parent": node.parent,
        "proposer": node.proposer,
        "memory": node.memory,
        "context": context,
        "proposal": {
            "move": node.move,
            "config": node.config,
            "source": node.source,
            "meta": meta or {},  # what the proposer said of it: tokens, cost, prompt id
        },
        "result": node.result,
    }
    with open(out_dir / "trajectories.jsonl", "a") as handle:
        handle.write(json.dumps(line, default=str) + "\n")


def best_dict(best: Node | None) -> dict[str, Any] | None:
    if best is None:
        return None
    result = best.result or {}
    return {
        "id": best.id,
        "outcome": best.outcome,
        "source": best.source,
        "config": best.config,
        "move": best.move,
        "proposer": best.proposer,
        "speedup": result.get("speedup"),
        "timing": result.get("timing"),
        "baseline": result.get("baseline"),
        "profile": result.get("profile"),
        "correctness": result.get("correctness"),
        "timing_note": result.get("timing_note"),
        "flags": result.get("flags", []),
    }


def report_dict(report: SearchReport, accounts: dict[str, Any]) -> dict[str, Any]:
    """report.json: the report without candidate sources (best.py and trajectories.jsonl
    hold those for people; programs take them from the report or the results store)."""
    data = asdict(report)
    data["sandbox"] = (report.reference or {}).get("sandbox")  # what protected the user this run
    data["proposer_accounts"] = accounts
    data["nodes"] = [{k: v for k, v in n.items() if k != "source"} for n in data["nodes"]]
    if data["best"]:
        data["best"] = {k: v for k, v in data["best"].items() if k != "source"}
        data["best"]["file"] = "best.py"
    return data


def write_outputs(
    out_dir: Path,
    report: SearchReport,
    best: Node | None,
    accounts: dict[str, Any],
) -> None:
    if best is not None:
        (out_dir / "best.py").write_text(best.source)
    elif (out_dir / "best.py").exists():
        (out_dir / "best.py").unlink()
    data = report_dict(report, accounts)
    (out_dir / "report.json").write_text(json.dumps(data, indent=2, default=str))
