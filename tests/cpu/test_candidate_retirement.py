"""Candidates are kernels built for the shapes their target had when it was searched
(issue 16): once the shapes change (here, `get_inputs`' module constant), the
editor stops offering them, shows one disabled action saying why, and refuses to
apply an action listed before the change."""

from __future__ import annotations

from pathlib import Path

import pytest
from kernelwright.server import actions, detect, names, problem
from kernelwright.server.config import Settings
from kernelwright.server.results import Candidate, Record
from kernelwright.server.session import Session
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcContentModified

DATA = Path(__file__).parents[1] / "lsp" / "data"


def _actions(session, doc, at: int) -> list[lsp.CodeAction]:
    pos = doc.position_of_byte(at)
    where = lsp.Range(pos, pos)
    return actions.code_actions(
        session,
        lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(doc.uri), where, lsp.CodeActionContext(diagnostics=[])
        ),
    )


def test_candidates_for_other_shapes_are_not_offered_or_applied(tmp_path):
    session = Session(Settings(store_path=str(tmp_path / "results.sqlite")))
    text = (DATA / "sample_model.py").read_text()
    doc = session.docs.open("file:///m.py", text, 1)
    at = text.encode().index(b"relu")
    target = detect.target_at(doc, at, at)
    searched = session.problem_for(doc, target)
    assert searched.digest is not None and not searched.missing

    def candidate(rank: int, digest: str | None) -> Candidate:
        return Candidate(rank, f"n{rank}", "src", "ok", "cuda", None, None, problem_digest=digest)

    session.index.put(
        Record(
            problem.signature(doc, target),
            doc.uri,
            target.name,
            problem_digest=searched.digest,
            span_text=doc.source[target.start_byte : target.end_byte].decode(),
            candidates=[candidate(1, searched.digest), candidate(2, searched.digest)],
        )
    )
    listed = [a for a in _actions(session, doc, at) if a.data]
    assert [a.title.split(" — ")[0] for a in listed] == [
        f"{names.APPLY_TITLE_PREFIX} #1",
        f"{names.APPLY_TITLE_PREFIX} #2",
    ]

    # The user changes the batch size: same code at the target, another problem.
    changed = session.docs.open("file:///m.py", text.replace("B = 8", "B = 3"), 2)
    assert session.problem_for(changed, target).digest != searched.digest
    now = _actions(session, changed, at)
    assert not [a for a in now if a.data], "candidates for the old shapes are still offered"
    [disabled] = [a for a in now if a.disabled]
    assert "2 candidate(s)" in disabled.title and "other shapes" in disabled.title
    assert "Run Optimize again" in disabled.disabled.reason
    assert any(a.title.startswith(names.OPTIMIZE_TITLE_PREFIX) for a in now)

    # An action listed before the change, resolved after it, is refused.
    stale = listed[0]
    stale.data = {**stale.data, "version": changed.version}
    with pytest.raises(JsonRpcContentModified, match="shapes"):
        actions.resolve(session, stale, lsp.ClientCapabilities())


def test_candidates_stored_before_digests_were_kept_are_still_offered(tmp_path):
    session = Session(Settings(store_path=str(tmp_path / "results.sqlite")))
    text = (DATA / "sample_model.py").read_text()
    doc = session.docs.open("file:///m.py", text, 1)
    at = text.encode().index(b"relu")
    target = detect.target_at(doc, at, at)
    session.index.put(
        Record(
            problem.signature(doc, target),
            doc.uri,
            target.name,
            candidates=[Candidate(1, "n1", "src", "ok", "cuda", None, None)],
        )
    )
    assert [a for a in _actions(session, doc, at) if a.data]
