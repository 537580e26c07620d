"""Which candidates the editor offers as "Apply candidate".

Candidates are kernels built for the shapes their target had when it was searched
(issue 16): once the shapes change (here, `get_inputs`' module constant), the
editor stops offering them, shows one disabled action saying why, and refuses to
apply an action listed before the change. A candidate measured no faster than the
current code is not offered either (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest
from kernelwright.server import actions, detect, hover, names, problem
from kernelwright.server.config import Settings
from kernelwright.server.results import Candidate, Record
from kernelwright.server.session import Session
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcContentModified

from tests.helpers_candidates import put_record

DATA = Path(__file__).parents[1] / "lsp" / "data"


def _sample(tmp_path):
    """A session with tests/lsp/data/sample_model.py open, and its `relu` target."""
    session = Session(Settings(store_path=str(tmp_path / "results.sqlite")))
    text = (DATA / "sample_model.py").read_text()
    doc = session.docs.open("file:///m.py", text, 1)
    at = text.encode().index(b"relu")
    return session, text, doc, at, detect.target_at(doc, at, at)


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
    session, text, doc, at, target = _sample(tmp_path)
    searched = session.problem_for(doc, target)
    assert searched.digest is not None and not searched.missing

    def candidate(rank: int, digest: str | None) -> Candidate:
        return Candidate(
            rank, f"run/n{rank}", "src", "ok", "cuda", None, None, problem_digest=digest
        )

    put_record(
        session,
        Record(
            problem.signature(doc, target),
            doc.uri,
            target.name,
            problem_digest=searched.digest,
            span_text=doc.source[target.start_byte : target.end_byte].decode(),
            candidates=[candidate(1, searched.digest), candidate(2, searched.digest)],
        ),
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
    pos = changed.position_of_byte(at)
    shown = hover.hover(session, lsp.HoverParams(lsp.TextDocumentIdentifier(changed.uri), pos))
    assert "2 earlier candidate(s) not offered: built for other shapes" in shown.contents.value

    # An action listed before the change, resolved after it, is refused.
    stale = listed[0]
    stale.data = {**stale.data, "version": changed.version}
    with pytest.raises(JsonRpcContentModified, match="shapes"):
        actions.resolve(session, stale, lsp.ClientCapabilities())


def test_candidates_stored_before_digests_were_kept_are_still_offered(tmp_path):
    session, text, doc, at, target = _sample(tmp_path)
    put_record(
        session,
        Record(
            problem.signature(doc, target),
            doc.uri,
            target.name,
            candidates=[Candidate(1, "run/n1", "src", "ok", "cuda", None, None)],
        ),
    )
    assert [a for a in _actions(session, doc, at) if a.data]


def _session_with(tmp_path, speedups: list[float | None]):
    session, text, doc, at, target = _sample(tmp_path)
    device = "cpu" if speedups == [None] else "cuda"
    put_record(
        session,
        Record(
            problem.signature(doc, target),
            doc.uri,
            target.name,
            reference={"profile": {"bottleneck": "memory-bound", "pct_peak_bw": 86.0}},
            candidates=[
                Candidate(
                    rank,
                    f"run/n{rank}",
                    "src",
                    "ok",
                    device,
                    None if s is None else {"vs_eager": s},
                    None,
                )
                for rank, s in enumerate(speedups, start=1)
            ],
        ),
    )
    return _actions(session, doc, at)


def test_only_candidates_measured_faster_are_offered(tmp_path):
    """On an H200, nanoGPT's softmax got "Apply candidate #3 — 0.7× vs eager":
    slower code offered as an improvement. Only the faster ones are offered now."""
    found = _session_with(tmp_path, [2.0, 1.01, 0.7])
    offered = [a.title for a in found if a.data]
    assert offered == [f"{names.APPLY_TITLE_PREFIX} #1 — 2.0× vs eager"]
    [held] = [a for a in found if a.disabled]
    assert "2 candidate(s)" in held.title and "not faster than the current code" in held.title
    assert "at best 1.01×" in held.disabled.reason
    assert "already runs at" not in held.disabled.reason  # one was faster


def test_when_nothing_beat_the_code_it_says_how_close_the_code_is_to_the_device(tmp_path):
    found = _session_with(tmp_path, [0.98, 0.7])
    assert not [a for a in found if a.data]
    [held] = [a for a in found if a.disabled]
    assert "already runs at 86% of peak DRAM BW (memory-bound)" in held.disabled.reason


def test_untimed_cpu_candidates_are_offered_and_say_so(tmp_path):
    found = _session_with(tmp_path, [None])
    assert [a.title for a in found if a.data] == [
        f"{names.APPLY_TITLE_PREFIX} #1 — verified on CPU (no timing)"
    ]
    assert not [a for a in found if a.disabled]


_MLP = """import torch
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(64, 64)

    def forward(self, x):
        h = torch.relu(self.fc(x))
        return h * 2.0


def get_inputs():
    return [torch.randn(8, 64)]


def get_init_inputs():
    return []
"""


def test_an_op_that_reads_self_offers_the_enclosing_forward(tmp_path):
    """`torch.relu(self.fc(x))` cannot run without the module: the op's Optimize is
    disabled with the reason before any click, and the forward is offered instead."""
    session = Session(Settings(store_path=str(tmp_path / "results.sqlite")))
    doc = session.docs.open("file:///mlp.py", _MLP, 1)
    found = _actions(session, doc, _MLP.encode().index(b"relu"))
    disabled = [a for a in found if a.disabled is not None]
    assert len(disabled) == 1 and disabled[0].title.startswith(names.OPTIMIZE_TITLE_PREFIX)
    assert "reads `self`" in disabled[0].disabled.reason
    (forward,) = [a for a in found if a.title.endswith("the enclosing forward")]
    assert forward.command is not None and forward.command.command == names.CMD_OPTIMIZE
    (where,) = forward.command.arguments
    rng = where["range"]
    start = doc.byte_of(rng["start"]["line"], rng["start"]["character"])
    end = doc.byte_of(rng["end"]["line"], rng["end"]["character"])
    enclosing = session.locate(doc, start, end)
    assert enclosing is not None and enclosing.target.kind == "forward"
    assert not enclosing.errors and not enclosing.missing
