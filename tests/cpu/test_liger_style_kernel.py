"""A Liger-Kernel-style Triton kernel (tests/lsp/data/liger_style_rms_norm.py): a scalar
`eps` the annotation gives a value, a module-level casting-mode table, a conditional
import, and num_warps computed by a helper. Optimize -> Apply -> the edited file runs
and matches at the annotated shape and at another."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from kernelwright.harness.evaluate import Harness
from kernelwright.server import detect, edits, problem, pysource, shapes
from kernelwright.server.documents import ParsedDocument, Pos

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers_problems import apply_edits, root_proposals, run_under_interpreter  # noqa: E402

DATA = Path(__file__).parents[1] / "lsp" / "data"
LAUNCHER = 'def rms_norm_forward(X, W, eps: float, casting_mode="llama", offset=0.0):'
ANNOTATION = "# kernelwright: X: float32[4, 2048], W: float32[2048], eps: float = 1e-6\n"


def _doc() -> ParsedDocument:
    text = (DATA / "liger_style_rms_norm.py").read_text()
    return ParsedDocument("file:///liger_style_rms_norm.py", text, 1)


def _build(doc: ParsedDocument) -> problem.Problem:
    at = doc.text.encode().index(b"_rms_norm_forward_kernel")
    return problem.build(doc, detect.target_at(doc, at, at))


def _annotate(doc: ParsedDocument, annotation: str) -> None:
    line = doc.text.splitlines().index(LAUNCHER)
    doc.apply_change(Pos(line, 0), Pos(line, 0), annotation)


def test_the_quick_fix_writes_a_scalar_for_a_scalar_parameter():
    doc = _doc()
    prob = _build(doc)
    assert prob.missing == ["X", "W", "eps"]
    launcher = pysource.top_level_function(doc.tree.root_node, "rms_norm_forward")
    assert launcher is not None
    fix = shapes.template(prob.missing, "", pysource.param_annotations(launcher))
    assert fix == "# kernelwright: X: float32[?, ?], W: float32[?, ?], eps: float = ?\n"
    _annotate(doc, fix)
    prob = _build(doc)
    assert "eps" in prob.missing and any("fill in the float value" in e for e in prob.errors)


def test_an_annotated_scalar_is_passed_as_the_value_written():
    doc = _doc()
    _annotate(doc, ANNOTATION)
    prob = _build(doc)
    assert not prob.missing and not prob.errors, prob.errors
    assert "torch.randn((2048,), dtype=torch.float32), 1e-06]" in prob.text
    # the module state the launcher reaches comes along; the unused conditional import not
    assert "_str_to_casting_mode = " in prob.text and "def calculate_settings" in prob.text
    assert "_libdevice_rsqrt" not in prob.text


def test_scalar_annotations_parse_and_bad_values_say_why():
    specs, errors = shapes.parse_line(
        "eps: float = 1e-6, causal: bool = True, n: int = -3, scale: float = SCALE, "
        "flag: bool = yes, k: int = 2.5, p: float = nan",
        {"SCALE"},
    )
    assert {name: (s.kind, s.value) for name, s in specs.items()} == {
        "eps": ("float", "1e-6"),
        "causal": ("bool", "True"),
        "n": ("int", "-3"),
        "scale": ("float", "SCALE"),
    }
    assert [e.split(":")[0] for e in errors] == ["`flag`", "`k`", "`p`"]
    assert (
        shapes.value_expr(specs["eps"]) == "1e-06" and shapes.value_expr(specs["scale"]) == "SCALE"
    )


@pytest.mark.slow
def test_optimize_then_apply_leaves_a_file_that_runs_and_matches(tmp_path):
    doc = _doc()
    _annotate(doc, ANNOTATION)
    prob = _build(doc)
    path = prob.write(tmp_path)
    harness = Harness()
    graph = asyncio.run(harness.capture(str(path)))
    proposals = root_proposals(path, graph, 4)
    assert [p.config for p in proposals] == [{"tunables": {"num_warps": w}} for w in (2, 4, 8, 16)]
    chosen = proposals[0]
    verdict = asyncio.run(harness.evaluate(str(path), chosen.source, "cpu", use_cache=False))
    assert verdict.outcome == "ok", verdict.message
    changes = edits.build_edits(doc, prob, chosen.source, 1, "Apply candidate #1 — verified")
    edited = tmp_path / "edited.py"
    edited.write_text(
        apply_edits(doc, changes).replace('if __name__ == "__main__":', "if False:")
        + "\nfor rows, cols in ((4, 2048), (3, 1000)):\n"
        + "    x, w = torch.randn(rows, cols), torch.randn(cols)\n"
        + "    same = torch.allclose(rms_norm_forward(x, w, 1e-6), reference(x, w, 1e-6), atol=1e-5)\n"
        + "    print(rows, cols, bool(same))\n"
    )
    res = run_under_interpreter(edited)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.split() == ["4", "2048", "True", "3", "1000", "True"]
    assert "num_warps=2" in edited.read_text()
