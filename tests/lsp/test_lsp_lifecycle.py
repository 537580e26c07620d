"""The server's processes end with it: a search's child and the harness workers it
started are gone within a few seconds of `shutdown` then `exit`, even mid-search.

Issue 18 saw two harness workers outlive the server by about a minute. Each process
of the server's tree is noted (pid and start time, so a reused pid is not mistaken
for it) while the search runs; after `exit` none of them may still be running.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from kernelwright.server import names
from lsp_helpers import (
    client_fixtures,
    code_actions,
    command_of,
    copy_sample,
    open_doc,
    range_of,
    wait_for,
)
from lsprotocol import types as lsp

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
GONE_WITHIN_S = 5.0


ENV, fresh_env, client = client_fixtures({"budget": 30, "device": "cpu", "timeLimitS": 600})


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of a process, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0], int(fields[19])


def _tree(root: int) -> dict[int, int]:
    """pid -> start time of `root`'s descendants now."""
    parents: dict[int, list[int]] = {}
    starts: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _stat(int(entry))) is not None:
            parents.setdefault(st[0], []).append(int(entry))
            starts[int(entry)] = st[2]
    out, todo = {}, list(parents.get(root, []))
    while todo:
        pid = todo.pop()
        if pid in starts:
            out[pid] = starts[pid]
            todo.extend(parents.get(pid, []))
    return out


def _running(seen: dict[int, int]) -> dict[int, str]:
    """The noted processes still running (a zombie has ended), with their command lines."""
    out = {}
    for pid, start in seen.items():
        st = _stat(pid)
        if st is not None and st[2] == start and st[1] != "Z":
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                cmd = "?"
            out[pid] = cmd.strip()
    return out


@pytest.mark.slow
@pytest.mark.parametrize("ending", ["shutdown then exit", "exit alone", "stdin closed"])
async def test_the_search_and_its_workers_end_with_the_server(client, tmp_path, ending):
    path = copy_sample(tmp_path, "sample_model.py")
    uri = open_doc(client, path)
    actions = await code_actions(client, uri, range_of(path.read_text(), "torch.relu(x)"))
    cmd = command_of(next(a for a in actions if a.title.startswith(names.OPTIMIZE_TITLE_PREFIX)))
    started = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=cmd.command, arguments=cmd.arguments)
    )
    assert started["status"] == "started", started
    server = client._server
    assert server is not None
    seen: dict[int, int] = {}

    def workers_seen() -> bool:
        seen.update(_tree(server.pid))
        cmds = _running(seen).values()
        return any("kernelwright.harness.worker" in c for c in cmds)

    def progressed() -> bool:
        seen.update(_tree(server.pid))
        return any(m == "kernelwright/searchProgress" for m, _ in client.kw_notifications)

    # mid-search: a candidate was evaluated, more are on the way, workers are running
    await wait_for(progressed, 180, "the first evaluation")
    await wait_for(workers_seen, 30, "a harness worker")
    assert any("search_child" in c for c in _running(seen).values()), _running(seen)

    client.kw_closed = True
    if ending == "shutdown then exit":
        await client.shutdown_session()
    elif ending == "exit alone":
        client.exit(None)
    else:  # the editor went away without a word
        assert server.stdin is not None
        server.stdin.close()
    await asyncio.wait_for(server.wait(), 10)
    assert server.returncode == (0 if ending == "shutdown then exit" else 1)
    end = time.monotonic() + GONE_WITHIN_S
    while _running(seen) and time.monotonic() < end:
        await asyncio.sleep(0.1)
    assert not _running(seen), f"still running {GONE_WITHIN_S:.0f} s after exit: {_running(seen)}"
