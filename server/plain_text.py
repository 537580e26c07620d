"""Internal messages made into one plain sentence for the editor.

Notes and failures come up from the search and the harness with their evidence
attached: exception texts in parentheses, internal names, error-class prefixes. The
editor's notifications, progress and finish messages show the sentence; the whole
text goes to the client's log (`window/logMessage`) for whoever wants the details.
"""

from __future__ import annotations

import re

LIMIT = 200
_REF = re.compile(r"Ref\(name='([^']*)'\)")
_PREFIXES = ("HarnessError: ", "HarnessOutOfMemory: ", "worker failed: ")
_EVIDENCE = ("Error", "Exception", "http", "Traceback")


def sentence(text: str, limit: int = LIMIT) -> str:
    """`text` without its evidence, on one line, at most `limit` characters (cut at a
    word, marked with an ellipsis)."""
    text = _REF.sub(r"`\1`", text)
    for prefix in _PREFIXES:
        while text.startswith(prefix):
            text = text[len(prefix) :]
    text = " ".join(_without_evidence(text).split())
    text = re.sub(r"\s+([;,.])", r"\1", text)
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(" ;,:") + "…"


def _without_evidence(text: str) -> str:
    """Parenthesised groups (nesting followed) that quote an exception or a link, or run
    past 80 characters; the rest kept as written."""
    out: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                start = i
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                group = text[start : i + 1]
                if len(group) <= 80 and not any(word in group for word in _EVIDENCE):
                    out.append(group)
            continue
        if depth == 0:
            out.append(ch)
    if depth:  # an unclosed group: keep what followed it
        out.append(text[start:])
    return "".join(out)
