"""Worker side: Nsight Compute (ncu) metrics of one forward, when `ncu` is on the PATH.

ncu profiles a second process (`harness.ncu_target`) that runs the model twice
outside an NVTX range and once inside it; only the kernels of that one forward
are measured. The process is a plain child of the worker, so the pool's kill of
the worker's process group takes ncu and its target with it. Imports are
stdlib only: the parent reads TIMEOUT_S and ncu_path() without torch.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

from kernelwright.harness import processes

TIMEOUT_S = 180.0
NVTX_RANGE = "kernelwright"  # pushed by harness.ncu_target around the profiled forward
SECTIONS = ("SpeedOfLight", "Occupancy", "LaunchStats")
# A unit above this share of its peak is what binds the kernel (ncu's own
# SOLBottleneck rule speaks at 60% and 80%).
BOUND_PCT = 60.0

# ncu metric name -> our key; values are converted to the base unit in the key.
_METRICS = {
    "Duration": "duration_ns",
    "SM Frequency": "sm_frequency_hz",
    "DRAM Frequency": "dram_frequency_hz",
    "Memory Throughput": "memory_throughput_pct",
    "DRAM Throughput": "dram_throughput_pct",
    "L1/TEX Cache Throughput": "l1_pct",
    "L2 Cache Throughput": "l2_pct",
    "Compute (SM) Throughput": "compute_sm_pct",
    "Registers Per Thread": "registers_per_thread",
    "Waves Per SM": "waves_per_sm",
    "Theoretical Occupancy": "theoretical_occupancy_pct",
    "Achieved Occupancy": "achieved_occupancy_pct",
    "Threads": "threads",
}
_SHARED = (
    "Static Shared Memory Per Block",
    "Dynamic Shared Memory Per Block",
    "Driver Shared Memory Per Block",
)
_LIMIT_PREFIX = "Block Limit "  # "Block Limit Registers" -> block_limits["registers"]
_INTEGERS = {"registers_per_thread", "threads"}

# ncu scales units unless told otherwise ("usecond", "Mbyte", "Ghz"): back to base.
_TIME_NS = {
    "ns": 1,
    "nsecond": 1,
    "us": 1e3,
    "usecond": 1e3,
    "ms": 1e6,
    "msecond": 1e6,
    "s": 1e9,
    "second": 1e9,
}
_PREFIX = {"": 1, "k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "g": 1e9, "G": 1e9}


def ncu_path() -> str | None:
    """The ncu executable, or None when absent or switched off (KERNELWRIGHT_NCU=0)."""
    if os.environ.get("KERNELWRIGHT_NCU", "").strip() == "0":
        return None
    return shutil.which("ncu")


def command(
    python: str, problem_path: str, candidate_path: str | None, seed: int, ncu: str = "ncu"
) -> list[str]:
    # --clock-control none: ncu would otherwise lock the clocks to base, which
    # these shared machines must not have changed under them.
    argv = [ncu, "--clock-control", "none", "--csv", "--page", "details"]
    for section in SECTIONS:
        argv += ["--section", section]
    argv += [
        "--nvtx",
        "--nvtx-include",
        f"{NVTX_RANGE}/",
        python,
        "-m",
        "kernelwright.harness.ncu_target",
        problem_path,
    ]
    if candidate_path:
        argv.append(candidate_path)
    return argv + ["--seed", str(seed)]


def describe_command() -> str:
    """What ran, for the report (the temp file names in the real argv mean nothing later)."""
    options = command("python", "PROBLEM", None, 0)[1:-6]  # ncu's own options alone
    return f"ncu {' '.join(options)} (one forward after two warm-ups)"


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _to_base(value: float, unit: str) -> float:
    unit = unit.strip()
    if unit in _TIME_NS:
        return value * _TIME_NS[unit]
    match = re.fullmatch(r"([kKmMgG]?)(hz|byte|byte/block)", unit)
    if match:
        return value * _PREFIX[match.group(1)]
    return value


def _dims(text: str) -> list[int] | None:
    numbers = re.findall(r"\d+", text.replace(",", ""))
    return [int(n) for n in numbers] or None


def _csv_rows(text: str) -> list[dict[str, str]]:
    """The CSV part of ncu's stdout: banner and ==PROF== lines come before the header."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith('"ID",')), None)
    if start is None:
        return []
    reader = csv.DictReader(io.StringIO("\n".join(lines[start:])))
    # Short rows (metric rows stop after the value) leave None; stray lines
    # (ncu messages printed after the header) have no numeric ID.
    return [
        {k: (v or "") for k, v in row.items() if k is not None}
        for row in reader
        if (row.get("ID") or "").strip().isdigit()
    ]


def parse_details(text: str) -> list[dict[str, Any]]:
    """One dict per profiled kernel, from `ncu --csv --page details` output."""
    kernels: dict[tuple[str, str], dict[str, Any]] = {}
    shared: dict[tuple[str, str], float] = {}
    for row in _csv_rows(text):
        key = (row.get("Process ID", ""), row["ID"])
        kernel = kernels.get(key)
        if kernel is None:
            kernel = kernels[key] = {
                "id": int(row["ID"]),
                "name": row.get("Kernel Name", ""),
                "block": _dims(row.get("Block Size", "")),
                "grid": _dims(row.get("Grid Size", "")),
                **{name: None for name in _METRICS.values()},
                "shared_memory_per_block_bytes": None,
                "block_limits": {},
                "rules": [],
            }
        metric = row.get("Metric Name", "")
        value = _number(row.get("Metric Value", ""))
        if metric and value is not None:
            value = _to_base(value, row.get("Metric Unit", ""))
            if metric in _METRICS:
                name = _METRICS[metric]
                kernel[name] = int(value) if name in _INTEGERS else value
            elif metric in _SHARED:
                shared[key] = shared.get(key, 0.0) + value
                kernel["shared_memory_per_block_bytes"] = int(shared[key])
            elif metric.startswith(_LIMIT_PREFIX):
                limit = metric[len(_LIMIT_PREFIX) :].lower().replace(" ", "_")
                kernel["block_limits"][limit] = int(value)
        rule = row.get("Rule Name", "")
        speedup = _number(row.get("Estimated Speedup", ""))
        if rule and speedup is not None:
            kernel["rules"].append(
                {
                    "name": rule,
                    "speedup_pct": speedup,
                    "speedup_type": row.get("Estimated Speedup Type") or None,
                    "description": _first_sentence(row.get("Rule Description", "")),
                }
            )
    return list(kernels.values())


def _first_sentence(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    end = text.find(". ")
    text = text[: end + 1] if 0 < end < limit else text
    return text if len(text) <= limit else text[:limit] + "…"


def short_name(name: str) -> str:
    """`void ns::kernel<...>(args)` -> `kernel`: enough to tell kernels apart in one line.

    Demangled names do not always balance their brackets (`<unnamed>` shows up
    half-dropped), so this takes the qualified name before the first `<` or `(`.
    """
    text = re.sub(r"^void\s+", "", name.strip())
    text = re.sub(r"(\(anonymous namespace\)|<unnamed>)::", "", text)
    head = re.split(r"[<(]", text, maxsplit=1)[0]
    parts = [part for part in head.split("::") if part.strip()]
    return parts[-1].strip() if parts else name


def summarize(kernels: list[dict[str, Any]]) -> dict[str, Any]:
    """Total time, the kernel that dominates it, and ncu's verdict on that kernel."""
    if not kernels:
        return {"kernels": 0}
    total = sum(k["duration_ns"] or 0.0 for k in kernels)
    top = max(kernels, key=lambda k: k["duration_ns"] or 0.0)
    memory = top["memory_throughput_pct"] or 0.0
    compute = top["compute_sm_pct"] or 0.0
    if memory >= compute and memory >= BOUND_PCT:
        bound, reason = (
            "memory",
            f"memory throughput {memory:.0f}% of peak (compute {compute:.0f}%)",
        )
    elif compute > memory and compute >= BOUND_PCT:
        bound, reason = "compute", f"SM throughput {compute:.0f}% of peak (memory {memory:.0f}%)"
    else:
        achieved = top["achieved_occupancy_pct"]
        occupancy = "unknown" if achieved is None else f"{achieved:.0f}%"
        bound = "latency"
        reason = (
            f"neither memory nor compute above {BOUND_PCT:.0f}% of peak; "
            f"achieved occupancy {occupancy}"
        )
    rules = sorted(top["rules"], key=lambda r: r["speedup_pct"], reverse=True)
    return {
        "kernels": len(kernels),
        "total_duration_ns": total,
        "dominant_id": top["id"],
        "dominant_name": short_name(top["name"]),
        "dominant_share_pct": 100 * (top["duration_ns"] or 0.0) / total if total else None,
        "bottleneck": bound,
        "reason": reason,
        "top_rule": rules[0] if rules else None,
    }


def _error_line(stdout: str, stderr: str) -> str:
    """ncu's own ==ERROR== line if it printed one, else the last line of output."""
    lines = [line.strip() for line in (stdout + "\n" + stderr).splitlines() if line.strip()]
    for line in lines:
        if line.startswith("==ERROR=="):
            return line
    return lines[-1][:300] if lines else "no output"


def _kill_tree(pid: int) -> None:
    """ncu's target is ncu's child: on a timeout both go, not just ncu, and are gone when
    this returns (the target holds GPU memory the evaluation's next step needs)."""
    tree = processes.descendants(pid)
    for member in tree:
        try:
            os.kill(member, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + KILL_WAIT_S
    while any(processes.running(member) for member in tree) and time.monotonic() < deadline:
        time.sleep(0.01)


# How long `_kill_tree` waits for what it killed to be gone (SIGKILL lands asynchronously).
KILL_WAIT_S = 10.0


def _read(path: str) -> str:
    with open(path, errors="replace") as handle:
        return handle.read()


def collect(
    problem_source: str, candidate_source: str | None, seed: int, timeout_s: float = TIMEOUT_S
) -> dict[str, Any]:
    """ncu's kernels and summary for one forward, or {"unavailable": reason}.

    The problem travels as source, written next to the candidate in a temporary
    folder: inside the sandbox the user's own file may not be visible."""
    ncu = ncu_path()
    if ncu is None:
        return {"unavailable": "ncu is not on the PATH (or KERNELWRIGHT_NCU=0)"}
    with tempfile.TemporaryDirectory(prefix="kw-ncu-") as folder:
        problem_path = os.path.join(folder, "kernelwright_problem.py")
        with open(problem_path, "w") as handle:
            handle.write(problem_source)
        candidate_path = None
        if candidate_source is not None:
            candidate_path = os.path.join(folder, "kernelwright_candidate.py")
            with open(candidate_path, "w") as handle:
                handle.write(candidate_source)
        argv = command(sys.executable, problem_path, candidate_path, seed, ncu)
        # Files, not pipes: a process the candidate started past its target (a `setsid`
        # child, tests/cheats/leaves_process.py) holds what it inherited, and reading a
        # pipe to its end waited for it, the whole timeout (tests/cpu/test_ncu.py).
        out_path, err_path = os.path.join(folder, "ncu.out"), os.path.join(folder, "ncu.err")
        with open(out_path, "w") as out, open(err_path, "w") as err:
            try:
                proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
            except OSError as error:
                return {"unavailable": f"ncu could not start: {error}"}
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                _kill_tree(proc.pid)
                proc.wait()
                return {"unavailable": f"ncu did not finish within {timeout_s:.0f} s"}
        stdout, stderr = (_read(path) for path in (out_path, err_path))
    if proc.returncode != 0:
        return {
            "unavailable": f"ncu exited with status {proc.returncode}: "
            f"{_error_line(stdout, stderr)}"
        }
    kernels = parse_details(stdout)
    if not kernels:
        return {
            "unavailable": "ncu profiled no kernels in the NVTX range "
            f"{NVTX_RANGE}/ ({_error_line(stdout, stderr)})"
        }
    return {"kernels": kernels, "summary": summarize(kernels), "command": describe_command()}
