"""The messages between the language server and its search process
(server/search_messages.py): what one side writes the other reads back the same,
and a line that is not a message is refused with a reason naming the bad field."""

from __future__ import annotations

import subprocess
import sys

import pytest
from kernelwright.server import search_messages as msg

NODE = msg.ReportedNode(
    "n0003",
    outcome="ok",
    proposer="embedded",
    move="BLOCK 128 -> 256",
    source="class ModelNew: ...",
    speedup={"vs_eager": 2.4, "vs_compile": 1.1},
    timing={"median_ms": 0.21, "iqr_ms": 0.01, "n": 40},
    baseline={"eager_ms": 0.5, "compile_ms": 0.23},
    profile={"bottleneck": "memory-bound", "pct_peak_bw": 86.0},
    device="cuda",
)

MESSAGES = [
    msg.SearchProgress("evaluated", 3, 1, 8, 2.4, 12.5, 280.0, NODE, ""),
    msg.SearchProgress("notice", 0, 0, 8, message="no sandbox"),
    msg.SearchResult(
        cancelled=False,
        problem="/p/abc.py",
        device="cuda",
        evaluated=3,
        search_id="0123456789abcdef-1a2b3c4d",
        best=NODE,
        nodes=(NODE, msg.ReportedNode("n0004", outcome="wrong", message="max abs err 3.1")),
        baseline={"label": "torch.compile", "compile_ms": 0.23, "eager_ms": 0.5},
        reference={"timing": {"median_ms": 0.5}, "profile": {"bottleneck": "memory-bound"}},
        notes=("warm start from 1 skill(s): s1",),
    ),
    msg.ProfileResult({"device": "cpu", "timing": {"median_ms": 0.5}}),
    msg.SearchFailed("BadInputError: problem file not found: /p/x.py"),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: type(m).__name__)
def test_child_messages_read_back_as_written(message):
    assert msg.read_child_message(message.to_json()) == message
    assert type(message).from_json(message.to_json()) == message


@pytest.mark.parametrize(
    "request_",
    [
        msg.SearchRequest("/p/a.py", 8, 300.0, "mcts", ("embedded",), "auto", None, "/o", None),
        msg.SearchRequest("/p/a.py", 1, 5.0, "evolve", None, "cpu", "/s.sqlite", None, True, "m"),
        msg.ProfileRequest("/p/a.py", "cuda", "/s.sqlite"),
    ],
)
def test_requests_read_back_as_written(request_):
    assert msg.read_request(request_.to_json()) == request_


@pytest.mark.parametrize(
    "line, reason",
    [
        ("cancel", "message: not JSON"),
        ("[1, 2]", "expected a JSON object, got list"),
        ('{"type": "result"}', "type must be one of ['error', 'event', 'profile', 'report']"),
        ('{"type": "error"}', "error message: message is missing"),
        (
            '{"type": "event", "kind": "evaluated", "evaluated": "3", "failed": 0, "budget": 8}',
            "event message: evaluated must be an integer, got '3'",
        ),
        (
            '{"type": "report", "cancelled": false, "problem": "p", "device": "cpu",'
            ' "evaluated": 2, "nodes": [{"id": "n1"}, {"id": "n2", "outcome": 3}]}',
            "report message: nodes[1].outcome must be str or null, got 3",
        ),
        (
            '{"type": "report", "cancelled": "no", "problem": "p", "device": "cpu",'
            ' "evaluated": 2}',
            "report message: cancelled must be bool",
        ),
        ('{"type": "profile", "profile": [1]}', "profile message: profile must be an object"),
    ],
)
def test_a_malformed_line_is_refused_with_its_reason(line, reason):
    with pytest.raises(msg.MessageError) as err:
        msg.read_child_message(line)
    assert reason in str(err.value)


def test_a_malformed_request_is_refused_with_its_reason():
    with pytest.raises(msg.MessageError, match="mode must be one of"):
        msg.read_request('{"mode": "optimize", "problem_path": "/p/a.py"}')
    with pytest.raises(msg.MessageError, match="search request: budget is missing"):
        msg.read_request('{"mode": "search", "problem_path": "/p/a.py"}')


def test_keys_a_side_does_not_know_are_ignored():
    """Either side may add a key (a newer search's report) before the other reads it."""
    line = '{"type": "error", "message": "boom", "traceback_id": 7}'
    assert msg.read_child_message(line) == msg.SearchFailed("boom")


def test_candidate_ids_name_the_run_and_the_node():
    cid = msg.candidate_id("0123456789abcdef-1a2b3c4d", "n0012")
    assert msg.split_candidate_id(cid) == ("0123456789abcdef-1a2b3c4d", "n0012")
    with pytest.raises(msg.MessageError, match="<search_id>/<node_id>"):
        msg.split_candidate_id("n0012")


def test_the_language_server_side_imports_neither_torch_nor_the_agent_nor_ray():
    code = (
        "import sys, kernelwright.server.server, kernelwright.server.jobs, "
        "kernelwright.server.search_messages, kernelwright.server.results\n"
        "bad = [m for m in sys.modules if m in ('torch', 'ray') "
        "or m.startswith('kernelwright.agent')]\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
