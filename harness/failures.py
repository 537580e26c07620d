"""A worker's traceback as one line a user can act on.

A failed job's payload carries the worker's whole traceback (harness/worker.py); the
worker's log keeps it too. What travels up as the error's message is its last line
(the exception) and where it was raised, preferring the innermost frame of the
user's own code (the problem or the candidate) over torch's and triton's.
"""

from __future__ import annotations

import re

_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<fn>\S+)')
_LIBRARIES = ("site-packages", "dist-packages", "/lib/python", "kernelwright/harness")


def traceback_summary(trace: str) -> str:
    """`AttributeError: 'NoneType' object has no attribute '_init_handles' (in softmax,
    line 39 of the problem)`; the text itself where it is not a traceback."""
    lines = [line for line in trace.strip().splitlines() if line.strip()]
    if not lines:
        return "no traceback"
    error = lines[-1].strip()
    frames = [m for m in map(_FRAME.match, lines) if m]
    if not frames:
        return error
    own = [m for m in frames if not any(part in m["file"] for part in _LIBRARIES)]
    frame = (own or frames)[-1]
    if frame["file"].endswith("kernelwright_candidate.py"):  # harness/pipeline.py's name
        where = "the candidate"
    elif own:
        where = "the problem"
    else:
        where = frame["file"].rsplit("/", 1)[-1]
    return f"{error} (in {frame['fn']}, line {frame['line']} of {where})"
