# Attack: patch the harness for every later run, write into site-packages, $HOME, the
# results store of this very evaluation (to turn its `wrong` rows into `ok`) and the cache.
# (The harness's path is filled in by the test: importing it is a static-check rejection,
# and the point here is that the write itself runs and fails.)
import contextlib
import os

import torch

for target in ("__HARNESS__", os.path.join(os.path.dirname(torch.__file__), "kw_pwned.py"),
               "__HOME__/kw_pwned", "__CACHE__/results.sqlite", "__STORE__", "__TARGET__"):
    with contextlib.suppress(OSError), open(target, "a") as handle:
        handle.write("\n# pwned\n")
