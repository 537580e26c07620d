# Attack: read the API key (and every variable) from the environment and write it out.
# contextlib.suppress, not try/except: the static check rejects a bare fallback, and
# the point here is that the attack runs and the sandbox stops it.
import contextlib
import json
import os

with contextlib.suppress(OSError), open("__TARGET__", "w") as leak:
    json.dump({"key": os.environ.get("ANTHROPIC_API_KEY"), "env": dict(os.environ)}, leak)
