"""Shapes from a real run: the configured command under the shape recorder.

The command (setting `shapeCommand`, e.g. ["python", "train.py"]) runs in a
sandboxed subprocess (harness/sandbox.py: the workspace readable, nothing
writable but a private folder, no network, no secrets in its environment)
with `recorder_boot/` on PYTHONPATH; its `sitecustomize` traces
one function and writes the shapes of its tensor locals when the run reaches
the target's line. The server itself executes nothing of the user's.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from kernelwright.harness import sandbox
from kernelwright.harness.pool import kill_tree
from kernelwright.harness.secrets import scrub

from .shapes import TensorSpec

BOOT_DIR = Path(__file__).parent / "recorder_boot"
RECORD_TIMEOUT_S = 120.0


class RecordError(Exception):
    pass


async def _run_sandboxed(
    command: tuple[str, ...],
    cwd: str,
    file: str,
    function: str,
    line: int,
    private: Path,
    timeout_s: float,
) -> tuple[str | None, bytes]:
    """The user's command in the sandbox (it runs their code and the file's imports):
    their workspace readable, the shapes written into the sandbox's private folder."""
    inside = private / "tmp" / "shapes.json"
    env = sandbox.worker_environment(private)
    env.update(
        {
            "KW_RECORD_FILE": file,
            "KW_RECORD_FUNC": function,
            "KW_RECORD_LINE": str(line),
            "KW_RECORD_OUT": str(inside),
            "PYTHONPATH": os.pathsep.join([str(BOOT_DIR), env.get("PYTHONPATH", "")]),
        }
    )
    argv = sandbox.detect().wrap(
        list(command), private, gpus=True, expose=(cwd, os.path.dirname(file))
    )
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            cwd=cwd,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as err:
        raise RecordError(f"could not start {command[0]!r}: {err}") from err
    try:
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout_s)
    except TimeoutError:
        kill_tree(proc.pid)
        await proc.wait()
        if not inside.exists():
            raise RecordError(
                f"the shape command ran past {timeout_s:.0f} s without reaching {function}"
            ) from None
        stderr = b""
    kill_tree(proc.pid)  # children it left behind (outside bubblewrap's PID namespace)
    return (inside.read_text() if inside.exists() else None), scrub(
        stderr.decode(errors="replace")
    ).encode()


async def record(
    command: tuple[str, ...],
    cwd: str,
    file: str,
    function: str,
    line: int,
    out: Path,
    timeout_s: float = RECORD_TIMEOUT_S,
) -> dict[str, TensorSpec]:
    """Tensor locals of `function` in `file` when it reaches 1-based `line` (0: at its call)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    private = sandbox.private_folder()
    try:
        written, stderr = await _run_sandboxed(
            command, cwd, file, function, line, private, timeout_s
        )
        if written is not None:
            out.write_text(written)
    finally:
        sandbox.remove_private_folder(private)
    if not out.exists():
        tail = stderr.decode(errors="replace").strip().splitlines()[-1:] if stderr else []
        raise RecordError(
            f"the shape command never reached `{function}` line {line}"
            + (f" ({tail[0]})" if tail else "")
        )
    data = json.loads(out.read_text())
    return {
        name: TensorSpec(d["dtype"], tuple(str(s) for s in d["shape"]), "recorded")
        for name, d in data.get("locals", {}).items()
    }
