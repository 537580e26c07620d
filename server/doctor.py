"""`kernelwright doctor`: what protects the user here, and what this machine offers.

Reports the sandbox that problem and candidate code will run in (and what it
isolates, or why there is none), the devices, the versions, the results store
and whether a Claude key is configured (never the key itself).
"""

from __future__ import annotations

import argparse
import json
import shutil

from rich.console import Console


def collect() -> dict:
    from kernelwright.agent.proposers.claude_config import claude_available, load_claude_config
    from kernelwright.harness import sandbox
    from kernelwright.harness.evaluate import gpu_count, package_versions
    from kernelwright.harness.ncu import ncu_path
    from kernelwright.harness.paths import default_store_path

    box = sandbox.detect()
    config = load_claude_config()
    claude_on, claude_line = claude_available(config)
    try:
        gpus = gpu_count()
    except Exception:  # a broken CUDA install is a fact to report, not a crash
        gpus = 0
    return {
        "sandbox": box.describe(),
        "sandbox_tools": {"bwrap": shutil.which("bwrap"), "unshare": shutil.which("unshare")},
        "gpus": gpus,
        "ncu": ncu_path(),
        "versions": package_versions(),
        "store": str(default_store_path()),
        "claude": {"on": claude_on, "key_source": config.key_source, "note": claude_line},
    }


def run_doctor(args: argparse.Namespace) -> int:
    report = collect()
    if args.json:
        print(json.dumps(report))
        return 0
    out = Console()
    box = report["sandbox"]
    if box["active"]:
        out.print(
            f"[bold green]sandbox[/bold green]   {box['mode']}: " + ", ".join(box["protects"]),
            highlight=False,
        )
    else:
        out.print(f"[bold red]sandbox[/bold red]   none: {box['reason']}", highlight=False)
        out.print(
            "          problem and candidate code runs with your files and network; "
            "install bubblewrap (apt-get install bubblewrap)",
            highlight=False,
        )
    if box["active"] and box["reason"]:
        out.print(f"          (not stronger because {box['reason']})", highlight=False)
    out.print(f"GPUs      {report['gpus']}" + (f" · ncu {report['ncu']}" if report["ncu"] else ""))
    versions = report["versions"]
    out.print("versions  " + " · ".join(f"{k} {v}" for k, v in versions.items()), highlight=False)
    out.print(f"store     {report['store']}", highlight=False)
    out.print(f"claude    {report['claude']['note']}", highlight=False, markup=False)
    return 0
