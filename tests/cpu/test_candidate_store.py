"""A candidate has one home, the results store; the server's index keeps its rank
and id. What the editor offers and applies is read from the store by that id, so
an action applies the candidate it named even after a later search re-ranked them,
and a restarted server offers the same candidates."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kernelwright.harness.store import Store
from kernelwright.server import actions, detect, names, problem
from kernelwright.server.config import Settings
from kernelwright.server.results import Candidate, Record
from kernelwright.server.session import Session
from lsprotocol import types as lsp

from tests.helpers_candidates import put_record

DATA = Path(__file__).parents[1] / "lsp" / "data"


def _open(tmp_path, version: int = 1):
    session = Session(Settings(store_path=str(tmp_path / "results.sqlite")))
    text = (DATA / "sample_model.py").read_text()
    doc = session.docs.open("file:///m.py", text, version)
    at = text.encode().index(b"relu")
    return session, doc, at, detect.target_at(doc, at, at)


def _candidate(session, doc, target, rank: int, cid: str, marker: str) -> Candidate:
    """The problem's own Model as ModelNew (so it applies), told apart by a comment."""
    prob = session.problem_for(doc, target)
    source = f"# {marker}\n" + prob.text.replace("class Model(", "class ModelNew(")
    return Candidate(rank, cid, source, "ok", "cpu", None, None, problem_digest=prob.digest)


def _record(session, doc, target, candidates) -> Record:
    return Record(
        problem.signature(doc, target),
        doc.uri,
        target.name,
        span_text=doc.source[target.start_byte : target.end_byte].decode(),
        candidates=candidates,
    )


def _apply_actions(session, doc, at) -> list[lsp.CodeAction]:
    pos = doc.position_of_byte(at)
    params = lsp.CodeActionParams(
        lsp.TextDocumentIdentifier(doc.uri), lsp.Range(pos, pos), lsp.CodeActionContext([])
    )
    return [
        a
        for a in actions.code_actions(session, params)
        if a.title.startswith(names.APPLY_TITLE_PREFIX)
    ]


def _inserted(session, action) -> str:
    edit = actions.resolve(session, action, lsp.ClientCapabilities()).edit
    [changed] = edit.changes.values()  # a client without documentChanges gets `changes`
    return "".join(e.new_text for e in changed)


def test_the_index_keeps_ids_and_the_store_the_candidate(tmp_path):
    session, doc, at, target = _open(tmp_path)
    first = _candidate(session, doc, target, 1, "run-a/n0001", "FIRST")
    put_record(session, _record(session, doc, target, [first]))

    [action] = _apply_actions(session, doc, at)
    assert action.data["candidateId"] == "run-a/n0001"
    assert "# FIRST" in _inserted(session, action)
    # the server's own index holds no copy of the source or the numbers
    rows = sqlite3.connect(tmp_path / "lsp-results.sqlite").execute("SELECT data FROM records")
    [(data,)] = rows.fetchall()
    assert "FIRST" not in data and "ModelNew" not in data and "run-a/n0001" in data

    # a restarted server (new session, same store) offers and applies the same candidate
    again, doc2, at2, _ = _open(tmp_path)
    [after_restart] = _apply_actions(again, doc2, at2)
    assert after_restart.title == action.title
    assert "# FIRST" in _inserted(again, after_restart)

    # a candidate whose node the store no longer holds is not offered
    store = sqlite3.connect(tmp_path / "results.sqlite")
    store.execute("DELETE FROM nodes WHERE search_id = 'run-a'")
    store.commit()
    assert _apply_actions(again, doc2, at2) == []


def test_an_action_applies_the_candidate_it_named_after_a_re_ranking(tmp_path):
    session, doc, at, target = _open(tmp_path)
    a = _candidate(session, doc, target, 1, "run-a/n0001", "CANDIDATE A")
    b = _candidate(session, doc, target, 1, "run-b/n0007", "CANDIDATE B")
    put_record(session, _record(session, doc, target, [a]))
    [listed] = _apply_actions(session, doc, at)  # "Apply candidate #1" is A

    # a later search ranks B first and A second; the earlier action still means A
    a.rank, b.rank = 2, 1
    put_record(session, _record(session, doc, target, [b, a]))
    assert "# CANDIDATE A" in _inserted(session, listed)
    now = _apply_actions(session, doc, at)
    assert [x.data["candidateId"] for x in now] == ["run-b/n0007", "run-a/n0001"]


def test_the_search_stores_what_the_editor_reads(tmp_path):
    """The helper above stores candidates as the search does: a node with its result."""
    session, doc, at, target = _open(tmp_path)
    cand = _candidate(session, doc, target, 1, "run-a/n0001", "X")
    put_record(session, _record(session, doc, target, [cand]))
    node = Store(str(tmp_path / "results.sqlite")).node("run-a", "n0001")
    assert node["source"] == cand.source and node["result"]["outcome"] == "ok"
