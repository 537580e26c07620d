"""Shapes from a real run: the configured command under the shape recorder.

The command (setting `shapeCommand`, e.g. ["python", "train.py"]) runs in a
subprocess with `recorder_boot/` on PYTHONPATH; its `sitecustomize` traces
one function and writes the shapes of its tensor locals when the run reaches
the target's line. The server itself executes nothing of the user's.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path

from .shapes import TensorSpec

BOOT_DIR = Path(__file__).parent / "recorder_boot"
RECORD_TIMEOUT_S = 120.0


class RecordError(Exception):
    pass


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
    env = {
        **os.environ,
        "KW_RECORD_FILE": file,
        "KW_RECORD_FUNC": function,
        "KW_RECORD_LINE": str(line),
        "KW_RECORD_OUT": str(out),
        "PYTHONPATH": os.pathsep.join([str(BOOT_DIR), os.environ.get("PYTHONPATH", "")]),
    }
    try:
        proc = await asyncio.create_subprocess_exec(
            *command,
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
        os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()
        if not out.exists():
            raise RecordError(
                f"the shape command ran past {timeout_s:.0f} s without reaching {function}"
            ) from None
        stderr = b""
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
