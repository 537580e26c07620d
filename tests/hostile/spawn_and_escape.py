# Attack: run a subprocess, and leave children behind that outlive the evaluation
# (a new session, and a double fork whose grandchild is orphaned).
import contextlib
import os
import subprocess

with contextlib.suppress(OSError, subprocess.SubprocessError):
    subprocess.run(["sh", "-c", "echo pwned > __TARGET__"], timeout=10)
subprocess.Popen(["sleep", "__MARKER__"], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "__MARKER__"])
    os._exit(0)
