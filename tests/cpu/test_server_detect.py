"""Detection, problem extraction and shape annotations (no LSP connection)."""

from pathlib import Path

from kernelwright.server import detect, problem, shapes
from kernelwright.server.documents import ParsedDocument, Pos

DATA = Path(__file__).parents[1] / "lsp" / "data"


def doc_of(name: str) -> ParsedDocument:
    text = (DATA / name).read_text()
    return ParsedDocument(f"file:///{name}", text, 1)


def at(doc: ParsedDocument, snippet: str, offset: int = 0) -> int:
    return doc.text.encode().index(snippet.encode()) + offset


def test_finds_triton_kernels_in_every_decorator_form():
    doc = doc_of("sample_triton.py")
    kernels = {k.name: k for k in detect.find_kernels(doc)}
    assert set(kernels) == {"add_kernel", "scale_kernel", "double_kernel"}
    assert len(kernels["add_kernel"].launch_sites) == 1
    assert len(kernels["add_kernel"].launchers) == 1
    # torch.empty_like is allocation, not an op to optimise; kernels' tl.* calls are not torch ops
    assert [t.name for t in detect.find_ops(doc)] == []


def test_finds_torch_ops_and_forward():
    doc = doc_of("sample_model.py")
    names = [t.name for t in detect.find_ops(doc)]
    assert names == ["torch.relu", "Tensor.sum", "F.gelu", "torch.softmax"]  # outer call first
    assert [t.name for t in detect.find_forwards(doc)] == ["Model.forward"]


def test_cursor_and_selection_designate_targets():
    doc = doc_of("sample_model.py")
    assert detect.target_at(doc, at(doc, "relu"), at(doc, "relu")).name == "torch.relu"
    start = at(doc, "torch.relu(x) + y * 2.0")
    sel = detect.target_at(doc, start, start + len("torch.relu(x) + y * 2.0"))
    assert sel.kind == "expression" and sel.class_name == "Model"
    line = detect.target_at(doc, at(doc, "z = torch"), at(doc, "2.0") + 3)
    assert (line.start_byte, line.end_byte) == (sel.start_byte, sel.end_byte)
    assert detect.target_at(doc, at(doc, "def forward"), at(doc, "def forward")).kind == "forward"
    assert detect.target_at(doc, at(doc, "B = 8"), at(doc, "B = 8")) is None
    tri = doc_of("sample_triton.py")
    launch = at(tri, "add_kernel[")
    assert detect.target_at(tri, launch, launch).name == "add_kernel"


def test_incremental_reparse_tracks_edits():
    doc = doc_of("sample_model.py")
    line = doc.text.splitlines().index("        return F.gelu(z).sum(dim=-1)")
    doc.apply_change(Pos(line, 17), Pos(line, 21), "silu")
    assert doc.reparses == 1
    assert "F.silu" in [t.name for t in detect.find_ops(doc)]
    assert doc.tree.root_node.text.decode() == doc.text


def test_expression_problem_uses_the_files_get_inputs():
    doc = doc_of("sample_model.py")
    start = at(doc, "torch.relu(x) + y * 2.0")
    target = detect.target_at(doc, start, start + len("torch.relu(x) + y * 2.0"))
    prob = problem.build(doc, target)
    assert prob.inputs == ["x", "y"] and not prob.missing
    assert prob.shape_sources == {"x": "get_inputs", "y": "get_inputs"}
    ns: dict = {}
    exec(compile(prob.text, "problem.py", "exec"), ns)  # noqa: S102 - our own problem text
    out = ns["Model"](*ns["get_init_inputs"]())(*ns["get_inputs"]())
    assert tuple(out.shape) == (8, 64)


def test_unknown_shapes_then_annotation():
    doc = doc_of("sample_model.py")
    target = detect.target_at(doc, at(doc, "softmax"), at(doc, "softmax"))
    prob = problem.build(doc, target)
    assert prob.missing == ["a"] and prob.text is None
    line = doc.text.splitlines().index("def scale_rows(a):")
    doc.apply_change(Pos(line, 0), Pos(line, 0), shapes.template(["a"], ""))
    target = detect.target_at(doc, at(doc, "softmax"), at(doc, "softmax"))
    prob = problem.build(doc, target)
    assert prob.missing == ["a"] and any("fill in the sizes" in e for e in prob.errors)
    doc.apply_change(Pos(line, 0), Pos(line + 1, 0), "# kernelwright: a: bf16[B, 32]\n")
    prob = problem.build(doc, detect.target_at(doc, at(doc, "softmax"), at(doc, "softmax")))
    assert not prob.errors and "torch.randn((B, 32), dtype=torch.bfloat16)" in prob.text


def test_triton_problem_calls_the_launcher():
    doc = doc_of("sample_triton.py")
    target = detect.target_at(doc, at(doc, "add_kernel"), at(doc, "add_kernel"))
    prob = problem.build(doc, target)
    assert prob.inputs == ["x", "y"] and not prob.missing, prob.errors
    assert "return add(x, y)" in prob.text and "@triton.jit" in prob.text
    assert "torch.randn((4096,), dtype=torch.float32)" in prob.text
    no_launcher = detect.target_at(doc, at(doc, "scale_kernel"), at(doc, "scale_kernel"))
    assert "no launcher" in problem.build(doc, no_launcher).errors[0]


def test_annotation_parser_rejects_bad_entries():
    specs, errors = shapes.parse_line("x: float32[4, N], y: complex[3], z: f16[M]", {"N"})
    assert specs["x"].dims == ("4", "N")
    assert len(errors) == 2


def test_signature_is_stable_across_unrelated_edits():
    doc = doc_of("sample_model.py")
    t1 = detect.target_at(doc, at(doc, "relu"), at(doc, "relu"))
    sig = problem.signature(doc, t1)
    doc.apply_change(Pos(0, 0), Pos(0, 0), "# a comment\n")
    t2 = detect.target_at(doc, at(doc, "relu"), at(doc, "relu"))
    assert problem.signature(doc, t2) == sig


def test_expression_calling_a_file_function_brings_it_along():
    source = (DATA / "sample_model.py").read_text()
    source = source.replace("z = torch.relu(x) + y * 2.0", "z = torch.relu(scale_rows(x)) + y")
    doc = ParsedDocument("file:///h.py", source, 1)
    start = source.index("torch.relu(scale_rows(x)) + y")
    target = detect.target_at(doc, start, start + len("torch.relu(scale_rows(x)) + y"))
    prob = problem.build(doc, target)
    assert prob.inputs == ["x", "y"] and not prob.missing
    ns: dict = {}
    exec(compile(prob.text, "problem.py", "exec"), ns)  # noqa: S102 - our own problem text
    out = ns["Model"]()(*ns["get_inputs"]())
    assert tuple(out.shape) == (8, 64)


_MODES = """import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.BatchNorm1d(8)

    def forward(self, X):
        return torch.relu(self.norm(X))


def get_inputs():
    return [torch.randn(4, 8)]


def get_init_inputs():
    return []


@torch.no_grad()
def serve(x):
    # kernelwright: x: float32[4, 8]
    return torch.softmax(x * 2, dim=-1)


def train_step(x):
    # kernelwright: x: float32[4, 8]
    with torch.inference_mode():
        y = torch.softmax(x * 3, dim=-1)
    return torch.softmax(x * 4, dim=-1)
"""


def _problem_for(text: str, snippet: str):
    doc = ParsedDocument("file:///modes.py", text, 1)
    start = at(doc, snippet)
    return problem.build(doc, detect.target_at(doc, start, start + len(snippet)))


def test_code_run_for_inference_declares_it_and_training_code_does_not():
    """KernelBench builds references in training mode (BatchNorm uses the batch's
    statistics); code the user runs under no_grad/inference_mode or on an .eval()
    model becomes a problem that says INFERENCE = True, so the harness matches it."""
    assert "INFERENCE = True" in _problem_for(_MODES, "torch.softmax(x * 2, dim=-1)").text
    assert "INFERENCE = True" in _problem_for(_MODES, "torch.softmax(x * 3, dim=-1)").text
    trained = _problem_for(_MODES, "torch.softmax(x * 4, dim=-1)")
    assert trained.text and "INFERENCE" not in trained.text
    doc = ParsedDocument("file:///modes.py", _MODES, 1)
    forward = problem.build(
        doc, detect.target_at(doc, at(doc, "def forward"), at(doc, "def forward"))
    )
    assert forward.text and "class Model" in forward.text and "INFERENCE" not in forward.text
    evaluated = _problem_for(_MODES + "\nmodel = Block().eval()\n", "torch.softmax(x * 4, dim=-1)")
    assert "INFERENCE = True" in evaluated.text
    ns: dict = {}
    exec(compile(evaluated.text, "problem.py", "exec"), ns)  # noqa: S102 - our own problem text
    assert ns["INFERENCE"] is True


def test_a_tutorial_style_triton_problem_carries_the_module_state_its_launcher_reaches(tmp_path):
    """DEVICE, a dtype dict, autotune configs built by a function: all written with calls,
    so not constants, and the problem raised NameError in the worker without them."""
    import asyncio

    from kernelwright.harness.evaluate import Harness

    doc = doc_of("tutorial_vector_add.py")
    target = detect.target_at(doc, at(doc, "add_kernel"), at(doc, "add_kernel"))
    prob = problem.build(doc, target)
    assert not prob.errors and not prob.missing, prob.errors
    for needed in ("DEVICE = ", "_DTYPES = ", "BLOCK_DEFAULT = ", "def _configs", "CONFIGS = "):
        assert needed in prob.text, needed
    assert "__main__" not in prob.text and "print(" not in prob.text
    # in order: each name is bound before the statement that reads it at import
    assert prob.text.index("BLOCK_DEFAULT =") < prob.text.index("CONFIGS = _configs()")
    assert prob.text.index("def _configs") < prob.text.index("CONFIGS = _configs()")
    path = prob.write(tmp_path)
    reference = asyncio.run(Harness().profile(str(path), "cpu", use_cache=False))
    assert reference["output"]["shape"] == [98432]


def test_a_kernel_launched_through_a_handle_has_its_launcher():
    """Triton's fused-softmax tutorial launches `kernel = softmax_kernel.warmup(...)`
    then `kernel[(n, 1, 1)](...)`; other code binds the kernel to a local first. Both
    were "no launcher calls softmax_kernel[grid](...)"."""
    doc = doc_of("tutorial_fused_softmax.py")
    target = detect.target_at(doc, at(doc, "softmax_kernel"), at(doc, "softmax_kernel"))
    prob = problem.build(doc, target)
    assert target.launcher is not None and prob.scope_name == "softmax"
    assert prob.missing == ["x"] and not prob.errors
    source = (
        "import triton\nimport triton.language as tl\n\n\n@triton.jit\n"
        "def add_kernel(x_ptr, y_ptr, n, BLOCK: tl.constexpr):\n    pass\n\n\n"
        "def add(x, y):\n    launch = add_kernel\n"
        "    launch[(triton.cdiv(x.numel(), 1024),)](x, y, x.numel(), BLOCK=1024)\n"
        "    return x\n"
    )
    doc = ParsedDocument("file:///handle.py", source, 1)
    target = detect.target_at(doc, at(doc, "add_kernel"), at(doc, "add_kernel"))
    assert target.launcher is not None
    assert problem.build(doc, target).scope_name == "add"


def test_a_kernel_name_anywhere_and_selected_tensor_arithmetic_are_targets():
    text = (DATA / "tutorial_fused_softmax.py").read_text()
    doc = ParsedDocument("file:///t.py", text, 1)
    at = text.encode().index(b"softmax_kernel.warmup")
    target = detect.target_at(doc, at, at)
    assert target is not None and (target.kind, target.name) == ("triton_kernel", "softmax_kernel")
    # Llama's rotary embedding: arithmetic and a file function, no torch call selected
    rope = (DATA / "llama_rope.py").read_text()
    doc = ParsedDocument("file:///r.py", rope, 1)
    snippet = b"(q * cos) + (rotate_half(q) * sin)"
    start = rope.encode().index(snippet)
    target = detect.target_at(doc, start, start + len(snippet))
    assert target is not None and target.kind == "expression"
