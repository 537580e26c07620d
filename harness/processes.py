"""Processes as /proc lists them, and a worker's process tree with its memory. Standard
library only: the judge, ncu and the pool read them (harness/judge.py `end_strays`,
harness/ncu.py `_kill_tree`, harness/pool.py's kill and memory watcher)."""

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


# pid -> (parent pid, process group, resident bytes)
Table = dict[int, tuple[int, int, int]]


def table() -> Table:
    """Every live process's parent, process group and resident bytes."""
    rows = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for pid in all_pids():
        fields = stat_fields(pid)
        if fields is None:  # gone
            continue
        try:
            # fields[1] is ppid (field 4), fields[2] pgrp (5), fields[21] rss pages (24)
            rows[pid] = (int(fields[1]), int(fields[2]), int(fields[21]) * page)
        except (IndexError, ValueError):
            continue
    return rows


def descendants(root: int, rows: Table | None = None) -> list[int]:
    """`root` and every process below it."""
    rows = table() if rows is None else rows
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in rows.items():
        children.setdefault(ppid, []).append(pid)
    found, queue = set(), [root]
    while queue:
        current = queue.pop()
        if current not in found:
            found.add(current)
            queue += children.get(current, [])
    return sorted(found)


def tree(root: int, rows: Table | None = None) -> list[int]:
    """`root`, its descendants, and its process group: a `setsid` child leaves the group
    but stays a descendant (or, orphaned, a child of the sandbox's own init)."""
    rows = table() if rows is None else rows
    group = {pid for pid, (_, pgrp, _) in rows.items() if pgrp == root}
    return sorted(set(descendants(root, rows)) | group)


def tree_rss(root: int, rows: Table | None = None) -> int:
    rows = table() if rows is None else rows
    return sum(rows[pid][2] for pid in tree(root, rows) if pid in rows)


def tree_pss(root: int, rows: Table | None = None) -> int:
    """The tree's proportional set size: a page its processes share counts once. The judge
    forks its runner after importing torch (harness/judge.py), so the resident sets count
    those pages twice. A process whose rollup cannot be read counts its resident set."""
    rows = table() if rows is None else rows
    return sum(_pss(pid) or rows[pid][2] for pid in tree(root, rows) if pid in rows)


def tree_over(root: int, limit: int) -> bool:
    """Whether the tree holds more than `limit`: by resident sets, read every poll, then,
    only past the limit, by proportional sets, which walk every mapping. One read of the
    process table serves both."""
    rows = table()
    return tree_rss(root, rows) >= limit and tree_pss(root, rows) >= limit


def _pss(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) << 10  # kB
    except (OSError, ValueError, IndexError):
        return None
    return None
