"""Which code first imports torch._dynamo in each process (a diagnostic, not the product).

With this folder on PYTHONPATH (which the sandbox's environment allowlist passes), every
Python process writes `out/dynamo-PID.txt` beside this file, holding its command line and
the stack of its first `torch._dynamo` import. Run it with KERNELWRIGHT_SANDBOX=none, since
the sandbox makes this folder read-only. scripts/device_harness_check.sh uses it to show
that an evaluation's workers never import dynamo (harness/worker.py `_import_dynamo`).
"""

import builtins
import io
import os
import sys
import traceback

_import = builtins.__import__


def _first_dynamo_import(name, globals=None, locals=None, fromlist=(), level=0):
    asks = name.startswith("torch._dynamo") or (name == "torch" and "_dynamo" in (fromlist or ()))
    if asks and "torch._dynamo" not in sys.modules:
        builtins.__import__ = _import
        stack = io.StringIO()
        traceback.print_stack(limit=40, file=stack)
        out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, f"dynamo-{os.getpid()}.txt"), "w") as handle:
            handle.write(" ".join(sys.argv) + "\n" + stack.getvalue())
    return _import(name, globals, locals, fromlist, level)


builtins.__import__ = _first_dynamo_import
