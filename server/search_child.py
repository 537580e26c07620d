"""The process a search or a profile runs in, driven by the server over pipes.

The language server never imports the search (nor torch): it starts
`python -m kernelwright.server.search_child`, writes one request line, and reads
messages back (`server/search_messages.py` defines them all): progress events
while the search runs, then one report, profile or error. A line `cancel` on
stdin sets the search's cancel event; the report of what was evaluated so far
still comes back. Anything the search prints goes to stderr, so it cannot
corrupt the protocol on stdout.

`KERNELWRIGHT_SEARCH_RUNNER=module:function` replaces `run_search` and
`KERNELWRIGHT_PROFILE_RUNNER` `profile_problem` (tests
of the server's plumbing only; end-to-end tests run the real search).
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import os
import sys
import traceback
from typing import Any, TextIO

from . import search_messages as msg

RUNNER_ENV = "KERNELWRIGHT_SEARCH_RUNNER"
PROFILER_ENV = "KERNELWRIGHT_PROFILE_RUNNER"


def _override(env: str):
    spec = os.environ.get(env)
    if not spec:
        return None
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def _runner():
    if (fn := _override(RUNNER_ENV)) is not None:
        return fn
    from kernelwright.agent.search import run_search

    return run_search


def _profiler():
    if (fn := _override(PROFILER_ENV)) is not None:
        return fn
    from kernelwright.agent.profiling import profile_problem

    return profile_problem


def search_config(request: msg.SearchRequest):
    """The agent's SearchConfig for a request, and notes on settings it cannot honour."""
    from kernelwright.agent.api import SearchConfig

    notes = ["setting model is not supported by this search version"] if request.model else []
    config = SearchConfig(
        budget=request.budget,
        time_limit_s=request.time_limit_s,
        strategy=request.strategy,
        proposers=request.proposers,
        device=request.device,
        store_path=request.store_path,
        out_dir=request.out_dir,
        require_sandbox=request.require_sandbox,
        executor=request.executor,
        ray_address=request.ray_address,
    )
    return config, notes


def progress_message(event: Any) -> msg.SearchProgress:
    """An `agent.api.SearchEvent` as the message the server reads."""
    return msg.from_dict(msg.SearchProgress, dataclasses.asdict(event), "event")


def result_message(report: Any, cancelled: bool, notes: list[str]) -> msg.SearchResult:
    """An `agent.api.SearchReport` as the message the server reads: every node whole."""
    data = dataclasses.asdict(report)
    data["notes"] = [*(data.get("notes") or []), *notes]
    return msg.from_dict(msg.SearchResult, {**data, "cancelled": cancelled}, "report")


async def _main(proto: TextIO) -> int:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    cancel = asyncio.Event()

    def emit(message: msg.ChildMessage) -> None:
        proto.write(message.to_json() + "\n")
        proto.flush()

    async def watch_stdin() -> None:
        while True:
            line = await reader.readline()
            if not line or line.strip() == msg.CANCEL_LINE.encode():
                cancel.set()
                return

    watcher: asyncio.Task | None = None
    try:
        request = msg.read_request(await reader.readline())
        watcher = asyncio.create_task(watch_stdin())
        if isinstance(request, msg.ProfileRequest):
            result = await _profiler()(
                request.problem_path, device=request.device, store_path=request.store_path
            )
            emit(msg.ProfileResult(profile=result))
        else:
            config, notes = search_config(request)
            report = await _runner()(
                request.problem_path,
                config,
                on_event=lambda event: emit(progress_message(event)),
                cancel=cancel,
            )
            emit(result_message(report, cancel.is_set(), notes))
    except Exception as err:  # noqa: BLE001 - the server shows it; the traceback goes to its log
        traceback.print_exc()
        emit(msg.SearchFailed(message=f"{type(err).__name__}: {err}"))
        return 1
    finally:
        if watcher is not None:
            watcher.cancel()
    return 0


# The editor comes first: the search and the harness workers it spawns (which
# inherit this) yield the CPU to the language server and the user's typing.
SEARCH_NICENESS = 10


def main() -> int:
    try:
        os.nice(SEARCH_NICENESS)
    except OSError:
        pass
    proto = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints go to stderr
    sys.stdout = sys.stderr
    return asyncio.run(_main(proto))


if __name__ == "__main__":
    sys.exit(main())
