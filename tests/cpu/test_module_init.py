"""A whole module whose constructor takes a config (nanoGPT's MLP with GPTConfig,
tests/lsp/data/gpt_mlp_config.py): the `init:` annotation gives its arguments, a
quick fix starts it, and Optimize -> Apply leaves a module that gives the same
answer with the same weights."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from kernelwright.harness.evaluate import Harness
from kernelwright.server import actions, detect, edits, names, problem, shapes
from kernelwright.server.config import Settings
from kernelwright.server.documents import ParsedDocument
from kernelwright.server.session import Session
from lsprotocol import types as lsp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers_problems import apply_edits, root_proposals, run_under_interpreter  # noqa: E402

DATA = Path(__file__).parents[1] / "lsp" / "data"
TEXT = (DATA / "gpt_mlp_config.py").read_text()
INIT = "# kernelwright: init: GPTConfig(n_embd=64, n_head=4)\n"


def _build(text: str) -> tuple[ParsedDocument, problem.Problem]:
    doc = ParsedDocument("file:///gpt_mlp_config.py", text, 1)
    at = text.encode().index(b"def forward")
    return doc, problem.build(doc, detect.target_at(doc, at, at))


def test_a_constructor_that_takes_a_config_asks_for_init_and_the_quick_fix_starts_it(tmp_path):
    _, prob = _build(TEXT)
    assert (
        any("# kernelwright: init:" in e for e in prob.errors) and prob.init_guess == "GPTConfig()"
    )
    session = Session(Settings(store_path=str(tmp_path / "results.sqlite")))
    doc = session.docs.open("file:///gpt.py", TEXT, 1)
    pos = doc.position_of_byte(TEXT.encode().index(b"def forward"))
    found = actions.code_actions(
        session,
        lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(doc.uri),
            lsp.Range(pos, pos),
            lsp.CodeActionContext(diagnostics=[]),
        ),
    )
    (fix,) = [a for a in found if a.title.startswith(names.QUICKFIX_INIT_TITLE_PREFIX)]
    assert fix.edit is not None and fix.edit.document_changes is not None
    (change,) = fix.edit.document_changes
    (insert,) = change.edits
    assert insert.new_text == "# kernelwright: init: GPTConfig()\n"
    assert TEXT.splitlines()[insert.range.start.line] == "class MLP(nn.Module):"


def test_init_annotations_parse_and_a_bad_one_says_why():
    specs, errors = shapes.parse_line("x: f32[2, 3], init: GPTConfig(n_embd=64, n_head=4)", set())
    assert specs["init"] == shapes.InitSpec("GPTConfig(n_embd=64, n_head=4)")
    assert specs["x"] == shapes.TensorSpec("float32", ("2", "3"), "annotation")
    _, errors = shapes.parse_line("init: GPTConfig(n_embd=", set())
    assert errors and "not a Python expression" in errors[0]
    _, errors = shapes.parse_line("init: ?", set())
    assert errors and "fill in the constructor" in errors[0]
    _, prob = _build(
        TEXT.replace(
            "class MLP(nn.Module):", "# kernelwright: init: (64, 4)\nclass MLP(nn.Module):"
        )
    )
    assert "return list((64, 4))" in (prob.text or "")


@pytest.mark.slow
def test_optimize_then_apply_the_module_gives_the_same_answer(tmp_path):
    text = TEXT.replace("class MLP(nn.Module):", INIT + "class MLP(nn.Module):")
    doc, prob = _build(text)
    assert not prob.errors and not prob.missing, prob.errors
    assert "return [GPTConfig(n_embd=64, n_head=4)]" in prob.text
    path = prob.write(tmp_path)
    harness = Harness()
    graph = asyncio.run(harness.capture(str(path)))
    (proposal,) = root_proposals(path, graph, 1)
    assert "gelu" in proposal.source.lower()  # nn.GELU() as a submodule is fused, not refused
    verdict = asyncio.run(harness.evaluate(str(path), proposal.source, "cpu", use_cache=False))
    assert verdict.outcome == "ok", verdict.message
    changes = edits.build_edits(doc, prob, proposal.source, 1, "Apply candidate #1 — verified")
    edited = tmp_path / "edited.py"
    edited.write_text(
        apply_edits(doc, changes)
        + "\n\nimport importlib.util\n"
        + f"spec = importlib.util.spec_from_file_location('original', {str(DATA / 'gpt_mlp_config.py')!r})\n"
        + "original = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(original)\n"
        + "config = GPTConfig(n_embd=64, n_head=4)\n"
        + "new, old = MLP(config), original.MLP(original.GPTConfig(n_embd=64, n_head=4))\n"
        + "old.load_state_dict(new.state_dict())\n"
        + "for shape in ((8, 16, 64), (2, 7, 64)):  # the annotated shape, then another\n"
        + "    x = torch.randn(*shape)\n"
        + "    print(bool(torch.allclose(new(x), old(x), atol=1e-4, rtol=1e-4)))\n"
    )
    res = run_under_interpreter(edited)
    assert res.returncode == 0, res.stderr[-2000:]
    # at another shape the kernels' guard sends the call to the original PyTorch body
    assert res.stdout.split() == ["True", "True"]
    # the forward keeps its annotation right above it, so Optimize can run again
    lines = edited.read_text().splitlines()
    at = len(lines) - 1 - lines[::-1].index("    def forward(self, x):")  # MLP's, the last
    assert lines[at - 1] == "    # kernelwright: x: float32[8, 16, 64]"
