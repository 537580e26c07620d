"""Processes as /proc lists them. Standard library only: the judge, ncu and the pool read
them (harness/judge.py `end_strays`, harness/ncu.py `_kill_tree`, harness/pool.py's
memory watcher)."""

from __future__ import annotations

import os


def all_pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command name: [0] the state, [1] the parent's pid,
    [2] the process group, [21] the resident pages. None once the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def running(pid: int) -> bool:
    """Neither gone nor a zombie (which has ended and awaits its parent's reaping)."""
    fields = stat_fields(pid)
    return fields is not None and bool(fields) and fields[0] not in ("Z", "X")
