"""A user's Triton kernel gets the generator's own kernels too, where its file says what
it computes in PyTorch: a comparison in the file (Triton's tutorials check their kernels
against `torch.softmax`, `F.layer_norm`) or a `reference:` annotation. The search plans
from that PyTorch form (`ModelTorch`) and verifies every candidate against the user's kernel."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from kernelwright.agent.api import SearchConfig
from kernelwright.agent.search import run_search
from kernelwright.server import detect, problem
from kernelwright.server.documents import ParsedDocument

DATA = Path(__file__).parents[1] / "lsp" / "data"

LAYER_NORM_SHAPES = (
    "def layer_norm(",
    "# kernelwright: x: float32[8, 1000], weight: float32[1000], bias: float32[1000], "
    "eps: float = 1e-5",
)
SOFTMAX_REFERENCE = (
    "def softmax(x):",
    "# kernelwright: x: float32[64, 781], reference: torch.softmax(x, dim=-1)",
)


def _problem(name: str, click: str, annotation: tuple[str, str]) -> problem.Problem:
    line, comment = annotation
    text = (DATA / name).read_text().replace(line, f"{comment}\n{line}", 1)
    doc = ParsedDocument(f"file:///{name}", text, 1)
    at = text.encode().index(click.encode())
    return problem.build(doc, detect.target_at(doc, at, at))


def test_the_files_own_comparison_becomes_the_problems_pytorch_form():
    """tutorial_layer_norm.py prints `(layer_norm(x, w, b, 1e-5) - y).abs().max()` where
    `y = torch.nn.functional.layer_norm(x, (1000,), w, b, 1e-5)`: the launcher's
    parameters reach that expression under the names the call passed."""
    built = _problem("tutorial_layer_norm.py", "_layer_norm_fwd_fused[", LAYER_NORM_SHAPES)
    assert not built.errors and not built.missing
    twin = built.text.split("class ModelTorch(nn.Module):", 1)[1].split("def get_inputs", 1)[0]
    assert "def forward(self, x, weight, bias, eps):" in twin
    assert "w, b = weight, bias" in twin
    assert "return torch.nn.functional.layer_norm(x, (1000,), w, b, 1e-5)" in twin
    assert "the comparison on line" in twin


def test_an_annotated_reference_becomes_the_problems_pytorch_form():
    built = _problem("tutorial_fused_softmax.py", "softmax_kernel.warmup", SOFTMAX_REFERENCE)
    assert "        return torch.softmax(x, dim=-1)\n" in built.text


def test_a_file_that_never_says_what_its_kernel_computes_has_no_pytorch_form():
    built = _problem(
        "tutorial_fused_softmax.py",
        "softmax_kernel.warmup",
        ("def softmax(x):", "# kernelwright: x: float32[64, 781]"),
    )
    assert not built.errors and "ModelTorch" not in built.text


@pytest.fixture(scope="module")
def softmax_search(tmp_path_factory):
    folder = tmp_path_factory.mktemp("twin")
    path = _problem("tutorial_fused_softmax.py", "softmax_kernel.warmup", SOFTMAX_REFERENCE)
    problem_path = path.write(folder)
    config = SearchConfig(
        budget=4,
        time_limit_s=400,
        device="cpu",
        store_path=str(folder / "store.sqlite"),
        parallel=2,
        use_skills=False,
    )
    return asyncio.run(run_search(str(problem_path), config))


def test_the_search_verifies_generated_kernels_against_the_users_kernel(softmax_search):
    nodes = softmax_search.nodes
    generated = [n for n in nodes if "template" in (n.get("move") or "")]
    own = [n for n in nodes if (n.get("move") or "").startswith("your `softmax_kernel`")]
    assert generated and own, [(n.get("move"), n.get("outcome")) for n in nodes]
    assert all(n["outcome"] == "ok" for n in generated), [
        (n.get("move"), n.get("outcome"), n.get("message")) for n in generated
    ]
    assert "input_row_stride" not in generated[0]["source"]  # not the user's kernel
    assert any("PyTorch form" in note for note in softmax_search.notes)


def test_a_liger_style_kernel_named_by_its_files_reference_function_gets_the_norm_template(
    tmp_path,
):
    """liger_style_rms_norm.py keeps a PyTorch `reference(X, W, eps)` beside its kernel,
    which casts its input up (`X.float()`) before squaring: on float32 that cast reads
    straight through, the planner sees an RMSNorm, and the template's kernel verifies
    against the user's Triton kernel."""
    import sys

    from kernelwright.agent import torch_twin
    from kernelwright.harness.evaluate import Harness

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from helpers_problems import root_proposals

    built = _problem(
        "liger_style_rms_norm.py",
        "_rms_norm_forward_kernel[",
        (
            'def rms_norm_forward(X, W, eps: float, casting_mode="llama", offset=0.0):',
            "# kernelwright: X: float32[4, 2048], W: float32[2048], eps: float = 1e-6, "
            "reference: reference(X, W, eps)",
        ),
    )
    assert "def reference(X, W, eps):" in built.text  # the function the annotation names
    path = built.write(tmp_path)
    twin = tmp_path / "twin.py"
    twin.write_text(torch_twin.capture_source(path.read_text()) or "")
    harness = Harness()
    graph = asyncio.run(harness.capture(str(twin)))
    proposals = root_proposals(path, graph, 2)
    template = [p for p in proposals if p.move.startswith("norm template (rms_norm)")]
    assert template, [p.move for p in proposals]
    verdict = asyncio.run(harness.evaluate(str(path), template[0].source, "cpu", use_cache=False))
    assert verdict.outcome == "ok", verdict.message
