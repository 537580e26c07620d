"""Internal messages made into one plain sentence for the editor.

Notes and failures come up from the search and the harness with their evidence
attached: tracebacks, exception texts in parentheses, library paths, internal names
and reprs, error-class prefixes. Every place the server turns such a text into what a
user reads (a notification, progress, the finish message, a hover, a diagnostic) calls
`sentence`; the whole text goes to the client's log (`window/logMessage`), which the
editor shows on demand ("kernelwright: Show Server Log").
"""

from __future__ import annotations

import re

from kernelwright.harness.failures import traceback_summary

LIMIT = 200
LOG_HINT = "details in the kernelwright log"
# `Ref(name='gelu')`, `Size(value=128, name='N')`: a dataclass's repr, read as its first value
_REPR = re.compile(r"\b[A-Z]\w*\(\w+=('[^']*'|\"[^\"]*\"|[\w.]+)(?:, \w+=[^(),]*)*\)")
_PREFIXES = ("HarnessError: ", "HarnessOutOfMemory: ", "worker failed: ", "harness: ")
# A proposer's note starts with its name; the user knows them by what they are.
_PROPOSERS = {"embedded: ": "the built-in generator: ", "claude: ": "Claude: "}
_EVIDENCE = ("Error", "Exception", "http", "Traceback")
_FRAME = re.compile(r'^\s*File "[^"]+", line \d+', re.MULTILINE)
# A path cut from the front (`…/lib/python3.11/site-packages/torch/…`) or a library's own
_CUT_PATH = re.compile(r"(?:…|\.\.\.)/?[^\s:,;()]*")
_LIBRARY_PATH = re.compile(r"/[^\s:,;()\"']*/(?:site|dist)-packages/([^\s:,;()\"']+)")
# `RuntimeError: message (in softmax, line 39 of the problem)` (harness/failures.py)
_WHERE = re.compile(r"\s*(\(in [^()]*, line \d+ of [^()]*\))$")
_CLAUSE_END = re.compile(r"(?<=\S)(?:\. |; |: )")


def sentence(text: str, limit: int = LIMIT, logged: bool = False) -> str:
    """`text` without its evidence, on one line, at most `limit` characters: a long one
    ends at a clause (or a word, marked with an ellipsis), keeping where an exception
    was raised. With `logged` (the caller sent the whole text to the log), a sentence
    that left evidence out says where it is."""
    left_out = bool(_FRAME.search(text))
    if left_out:
        text = traceback_summary(text)
    text = _REPR.sub(lambda m: f"`{m.group(1).strip(chr(39) + chr(34))}`", text)
    for prefix in _PREFIXES:
        while text.startswith(prefix):
            text = text[len(prefix) :]
    for name, plain in _PROPOSERS.items():
        if text.startswith(name):
            text = plain + text[len(name) :]
    before = text
    text = _without_evidence(_LIBRARY_PATH.sub(r"\1", _CUT_PATH.sub("", text)))
    left_out = left_out or text != before
    text = " ".join(text.split())
    text = re.sub(r"\s+([;,.:])", r"\1", text).strip(" ;,:")
    hint = f"; {LOG_HINT}" if logged else ""
    if len(text) > limit:
        return _shortened(text, limit - len(hint)) + hint
    return text + hint if left_out and len(text) + len(hint) <= limit else text


def _shortened(text: str, limit: int) -> str:
    """At most `limit` characters: the text up to its last clause that fits (an
    exception's location kept at the end), else cut at a word with an ellipsis."""
    where = _WHERE.search(text)
    tail = f" {where.group(1)}" if where else ""
    if where:
        text = text[: where.start()]
    room = limit - len(tail)
    head = re.match(r"\w+(?:Error|Exception|Warning): ", text)  # never end at its colon
    first = (head.end() if head else 0) + 10  # a clause of a few words at least
    ends = [m.start() for m in _CLAUSE_END.finditer(text, first) if m.start() < room]
    if ends:
        return text[: ends[-1]].rstrip(" .;:,") + tail
    cut = text.rfind(" ", 0, room - 1)
    return text[: cut if cut > room // 2 else room - 1].rstrip(" ;,:") + "…" + tail


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
