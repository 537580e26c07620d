"""What the editor shows of a search that failed or found nothing, over stdio with the
REAL search on CPU: one plain sentence in every place a user reads (showMessage,
progress, the searchFinished message, hover), the whole text in window/logMessage; and
counts of what happened ("0/2 evaluated · 0 failed" when nothing was generated).

Issue 18 saw raw tracebacks cut from the front ("worker failed: …/lib/python3.11/…"),
internal reprs, exceptions cut at 200 characters, and "4/4 evaluated · 8 failed" when
nothing was generated.
"""

from __future__ import annotations

import re

import pytest
from kernelwright.server import names
from lsp_helpers import (
    client_fixtures,
    code_actions,
    command_of,
    finished,
    open_doc,
    pos_of,
    wait_for,
)
from lsprotocol import types as lsp

pytest.importorskip("kernelwright.agent.search", reason="the search has not landed yet")
pytestmark = pytest.mark.slow
SEARCH_TIMEOUT_S = 200

RAISES = """import torch
import torch.nn as nn


def check(x, depth):
    if depth == 0:
        raise RuntimeError(
            "the shapes disagree: " + "a very long explanation of why " * 30 + str(tuple(x.shape))
        )
    return check(x, depth - 1)


class Model(nn.Module):
    def forward(self, x):
        y = torch.relu(x)
        return check(y, 12)


def get_inputs():
    return [torch.randn(8, 64)]


def get_init_inputs():
    return []
"""

INVERSE = """import torch
import torch.nn as nn


class Model(nn.Module):
    def forward(self, A):
        return torch.linalg.inv(A)


def get_inputs():
    return [torch.randn(4, 8, 8) + 8 * torch.eye(8)]


def get_init_inputs():
    return []
"""

# What a plain sentence never holds.
RAW = (
    "Traceback",
    'File "',
    "/lib/python",
    "site-packages",
    "…/",
    "Ref(",
    "HarnessError",
    "worker failed",
    "\n",
)


ENV, fresh_env, client = client_fixtures({"budget": 2, "device": "cpu", "timeLimitS": 170})


async def _search(client, path, at: str):
    uri = open_doc(client, path)
    pos = pos_of(path.read_text(), at)
    actions = await code_actions(client, uri, lsp.Range(pos, pos))
    cmd = command_of(next(a for a in actions if a.title.startswith(names.OPTIMIZE_TITLE_PREFIX)))
    started = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=cmd.command, arguments=cmd.arguments)
    )
    assert started["status"] == "started", started
    done = await wait_for(
        lambda: finished(client, started["jobId"]), SEARCH_TIMEOUT_S, "the search"
    )
    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), pos)
    )
    reports = client.progress_reports[started["token"]]
    shown = [m.message for m in client.messages if m.message.startswith("kernelwright: ")]
    logged = [m.message for m in client.log_messages if started["jobId"] in m.message]
    return started, done, reports, shown, logged, hover.contents.value


def _plain(text: str) -> None:
    text = re.sub(r"\]\(command:[^)]*\)", "]", text)  # a hover's link is no text to read
    assert not any(raw in text for raw in RAW), text
    assert len(text) <= 300, text


async def test_a_long_exception_reads_as_one_sentence_with_the_whole_in_the_log(client, tmp_path):
    path = tmp_path / "raises.py"
    path.write_text(RAISES)
    started, done, reports, shown, logged, hover = await _search(client, path, "def forward")
    assert done["status"] == "failed", done
    # the exception, its first clause and where in the user's own file it was raised
    line = RAISES.splitlines().index("        raise RuntimeError(") + 1
    sentence = f"RuntimeError: the shapes disagree (in check, line {line} of raises.py)"
    end = reports[-1]
    assert end.kind == "end" and end.message.startswith(f"failed: {sentence}"), end.message
    assert done["message"] == end.message
    assert any(m.endswith(end.message) for m in shown), shown
    assert f"Last search: {end.message}" in hover, hover
    for text in (end.message, done["message"], *shown, *hover.split("\n\n")):
        _plain(text)
    # the details: the whole message, in the log the client shows on demand
    assert any("a very long explanation of why " * 30 in m for m in logged), logged
    assert "details in the kernelwright log" in end.message


async def test_nothing_generated_counts_nothing_and_says_why(client, tmp_path):
    path = tmp_path / "inverse.py"
    path.write_text(INVERSE)
    started, done, reports, shown, logged, hover = await _search(client, path, "linalg.inv")
    assert done["status"] == "done" and done["candidates"] == 0, done
    # the proposer wrote nothing: no evaluation and no failure, one report per change
    assert [r.message for r in reports if r.kind == "report"] == ["0/2 evaluated · 0 failed"]
    assert re.fullmatch(
        r"0 candidates \(the built-in generator: no candidate for this problem: .+\)",
        done["message"],
    ), done["message"]
    for text in (done["message"], reports[-1].message, *shown, *hover.split("\n\n")):
        _plain(text)
    assert len(logged) == len(set(logged)), logged  # each note once
