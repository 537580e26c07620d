"""The unshare sandbox's first process: lock the mount namespace down, then exec.

`python -m kernelwright.harness.sandbox_boot PRIVATE --hide HIDDEN... --expose KEEP...
--cover NEW=OLD... -- ARGV...`, started by harness/sandbox.py under `unshare
--mount --pid --net ...` where bubblewrap is not installed. It runs before any
problem or candidate code, as root of its own mount namespace: it hides each
HIDDEN folder behind an empty tmpfs (putting back, read-only, each KEEP path
inside them: the interpreter and what the worker needs), covers each OLD file
with NEW (the account files of harness/sandbox.py), remounts every other mount
read-only except PRIVATE, drops every capability, sets no_new_privs, and execs
ARGV. Standard library only.
"""

from __future__ import annotations

import ctypes
import os
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 32, 4096, 16384
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
_libc = ctypes.CDLL(None, use_errno=True)


def _mount(source: str, target: str, fstype: str | None, flags: int) -> None:
    if (
        _libc.mount(
            source.encode(), target.encode(), fstype.encode() if fstype else None, flags, None
        )
        != 0
    ):
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def _mount_points() -> list[str]:
    with open("/proc/self/mountinfo") as handle:
        return [line.split()[4].replace("\\040", " ") for line in handle]


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def lock_down(
    private: str, hidden: list[str], keep: list[str], covers: list[tuple[str, str]]
) -> None:
    _mount(private, private, None, MS_BIND)  # its own mount, so it alone stays writable
    stage = os.path.join(private, ".expose")
    os.makedirs(stage, exist_ok=True)
    kept = [p for p in keep if any(_inside(p, r) for r in hidden) and os.path.exists(p)]
    for index, path in enumerate(kept):
        holder = os.path.join(stage, str(index))
        os.makedirs(holder, exist_ok=True)
        _mount(path, holder, None, MS_BIND | MS_REC)
    for root in hidden:
        if os.path.isdir(root) and not _inside(private, root):
            _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV)
    for index, path in enumerate(kept):
        os.makedirs(path, exist_ok=True)
        _mount(os.path.join(stage, str(index)), path, None, MS_BIND | MS_REC)
    for new, old in covers:
        _mount(new, old, None, MS_BIND)
    for point in reversed(_mount_points()):
        if _inside(point, private) or point.startswith("/proc"):
            continue
        try:
            _mount("none", point, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
        except OSError:
            pass  # a mount that refuses a read-only remount is already read-only (or gone)


def drop_privileges() -> None:
    for cap in range(64):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")


def main(argv: list[str]) -> int:
    def between(flag: str, end: str) -> list[str]:
        return argv[argv.index(flag) + 1 : argv.index(end)]

    private, command = argv[0], argv[argv.index("--") + 1 :]
    hidden, keep = between("--hide", "--expose"), between("--expose", "--cover")
    covers: list[tuple[str, str]] = []
    for pair in between("--cover", "--"):
        new, old = pair.split("=", 1)  # every cover the sandbox passes is NEW=OLD
        covers.append((new, old))
    lock_down(private, hidden, keep, covers)
    drop_privileges()
    os.execvp(command[0], command)
    return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
