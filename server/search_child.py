"""The process a search or a profile runs in, driven by the server over pipes.

The language server never imports the search (nor torch): it starts
`python -m kernelwright.server.search_child`, writes one JSON request line,
and reads JSON lines back — `{"type": "event", ...SearchEvent}` while it runs,
then one `{"type": "report", ...}` or `{"type": "error", "message"}`. A line
`cancel` on stdin sets the search's cancel event; the report of what was
evaluated so far still comes back. Anything the search prints goes to stderr,
so it cannot corrupt the protocol on stdout.

`KERNELWRIGHT_SEARCH_RUNNER=module:function` replaces `run_search` and
`KERNELWRIGHT_PROFILE_RUNNER` `profile_problem` (tests
of the server's plumbing only; end-to-end tests run the real search).
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import json
import os
import sys
import traceback
from typing import Any, TextIO

RUNNER_ENV = "KERNELWRIGHT_SEARCH_RUNNER"
PROFILER_ENV = "KERNELWRIGHT_PROFILE_RUNNER"


def _jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(obj).items()}
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "value") and type(obj).__module__ != "builtins":  # enums
        return obj.value
    return obj


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


def _search_config(raw: dict[str, Any]):
    from kernelwright.agent.api import SearchConfig

    known = {f.name for f in dataclasses.fields(SearchConfig)}
    notes = [f"setting {k} is not supported by this search version" for k in raw if k not in known]
    cfg: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k in known
    }
    return SearchConfig(**cfg), notes


def _enrich(data: dict[str, Any], out_dir: str) -> None:
    """Give every node its source and profile, and the report its reference.

    The report's node rows are summaries; the search's out dir keeps the rest
    (trajectories.jsonl: one line per evaluated node; report.json: the reference).
    """
    from pathlib import Path

    full: dict[str, dict[str, Any]] = {}
    trajectories = Path(out_dir) / "trajectories.jsonl"
    if trajectories.exists():
        for line in trajectories.read_text().splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            full[str(row.get("id"))] = row
    for node in data.get("nodes") or []:
        row = full.get(str(node.get("id")))
        if row is None:
            continue
        result = row.get("result") or {}
        node.setdefault("source", (row.get("proposal") or {}).get("source"))
        for key in ("profile", "timing", "baseline", "device"):
            if node.get(key) is None and result.get(key) is not None:
                node[key] = result[key]
    report_json = Path(out_dir) / "report.json"
    if report_json.exists() and not data.get("reference"):
        try:
            data["reference"] = json.loads(report_json.read_text()).get("reference")
        except ValueError:
            pass


async def _main(proto: TextIO) -> int:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    request = json.loads((await reader.readline()).decode())
    cancel = asyncio.Event()

    def emit(obj: dict[str, Any]) -> None:
        proto.write(json.dumps(_jsonable(obj)) + "\n")
        proto.flush()

    async def watch_stdin() -> None:
        while True:
            line = await reader.readline()
            if not line or line.strip() == b"cancel":
                cancel.set()
                return

    watcher = asyncio.create_task(watch_stdin())
    try:
        if request["mode"] == "profile":
            result = await _profiler()(
                request["problem_path"],
                device=request.get("device", "auto"),
                store_path=request.get("store_path"),
            )
            emit({"type": "profile", "profile": result})
        else:
            config, notes = _search_config(request.get("config", {}))

            def on_event(event: Any) -> None:
                emit({"type": "event", **_jsonable(event)})

            report = await _runner()(
                request["problem_path"], config, on_event=on_event, cancel=cancel
            )
            data = _jsonable(report)
            data["notes"] = list(data.get("notes") or []) + notes
            if config.out_dir:
                _enrich(data, config.out_dir)
            emit({"type": "report", "cancelled": cancel.is_set(), **data})
    except Exception as err:  # noqa: BLE001 - the server shows it; the traceback goes to its log
        traceback.print_exc()
        emit({"type": "error", "message": f"{type(err).__name__}: {err}"})
        return 1
    finally:
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
