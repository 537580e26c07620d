"""A user's own Triton kernel gets candidates offline: its launch tunables, searched."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from kernelwright.agent.generator import tunables
from kernelwright.harness.evaluate import Harness
from kernelwright.server import detect, problem
from kernelwright.server.documents import ParsedDocument

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers_problems import apply_edits, root_proposals, run_under_interpreter  # noqa: E402

DATA = Path(__file__).parents[1] / "lsp" / "data"


def _sample_triton() -> tuple[ParsedDocument, problem.Problem]:
    """tests/lsp/data/sample_triton.py and the problem its add_kernel becomes."""
    text = (DATA / "sample_triton.py").read_text()
    doc = ParsedDocument("file:///sample_triton.py", text, 1)
    at = text.encode().index(b"add_kernel")
    return doc, problem.build(doc, detect.target_at(doc, at, at))


def _triton_problem(tmp_path: Path) -> Path:
    return _sample_triton()[1].write(tmp_path)


def test_a_block_size_changes_in_the_launch_and_in_the_grid_alike(tmp_path):
    source = _triton_problem(tmp_path).read_text()
    launch = tunables.find_launch(source)
    assert launch is not None and launch.default == {"BLOCK": 1024, "num_warps": 4}
    candidate = tunables.render(source, launch, {"BLOCK": 256, "num_warps": 8})
    assert "add_kernel[(triton.cdiv(n, 256),)](x, y, out, n, BLOCK=256, num_warps=8)" in candidate
    assert "class ModelNew(nn.Module):" in candidate and "class Model(" not in candidate


def test_the_embedded_proposer_searches_a_triton_kernel_it_cannot_capture(tmp_path):
    path = _triton_problem(tmp_path)
    harness = Harness()
    graph = asyncio.run(harness.capture(str(path)))
    proposals = root_proposals(path, graph, 3)
    assert [p.config for p in proposals] == [
        {"tunables": {"BLOCK": 2048, "num_warps": 4}},
        {"tunables": {"BLOCK": 512, "num_warps": 4}},
        {"tunables": {"BLOCK": 4096, "num_warps": 4}},
    ]
    assert all("your `add_kernel` with BLOCK 1024 →" in p.move for p in proposals)
    verdict = asyncio.run(harness.evaluate(str(path), proposals[1].source, "cpu", use_cache=False))
    assert verdict.outcome == "ok", verdict.message
    # a second round never proposes a config already in the tree
    tried = tuple(p.config for p in proposals if p.config is not None)
    assert all(p.config not in tried for p in root_proposals(path, graph, 2, tried))


def test_applying_a_tunables_candidate_leaves_a_file_that_runs_and_matches(tmp_path):
    """Apply rewires the launcher to the candidate's own copy of the kernel at its new
    block size; the edited file gives the original's answer at the annotated size and
    at another one (the grid follows the block)."""
    from kernelwright.server import edits

    doc, prob = _sample_triton()
    launch = tunables.find_launch(prob.text)
    candidate = tunables.render(prob.text, launch, {"BLOCK": 256, "num_warps": 2})
    changes = edits.build_edits(doc, prob, candidate, 1, "Apply candidate #1 — verified")
    edited = tmp_path / "edited.py"
    edited.write_text(
        apply_edits(doc, changes)
        + "\nfor n in (4096, 1000):\n"
        + "    x, y = torch.randn(n), torch.randn(n)\n"
        + "    print(n, bool(torch.equal(add(x, y), x + y)))\n"
    )
    res = run_under_interpreter(edited)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.split() == ["4096", "True", "1000", "True"]
    assert "BLOCK=256" in edited.read_text()


def _tutorial_problem(tmp_path: Path, name: str, click: str, annotation=None) -> Path:
    """A tests/lsp/data tutorial file's kernel as the server makes it a problem."""
    text = (DATA / name).read_text()
    if annotation is not None:
        line, comment = annotation
        text = text.replace(line, f"{comment}\n{line}", 1)
    doc = ParsedDocument(f"file:///{name}", text, 1)
    at = text.encode().index(click.encode())
    return problem.build(doc, detect.target_at(doc, at, at)).write(tmp_path)


def test_an_autotuned_kernel_is_searched_over_its_own_configs_pinned_one_at_a_time(tmp_path):
    """Triton's tutorial 01 with `@triton.autotune(configs=CONFIGS, ...)`, CONFIGS built
    by a function: a candidate pins one config, blocks scaled, num_warps changed; it
    verifies, and the user's dtype table (which names float16) is not a downcast."""
    path = _tutorial_problem(tmp_path, "tutorial_vector_add.py", "add_kernel[grid]")
    harness = Harness()
    graph = asyncio.run(harness.capture(str(path)))
    proposals = root_proposals(path, graph, 6)
    moves = [p.move for p in proposals]
    assert "your `add_kernel` with block sizes ×2" in moves, moves
    doubled = next(p for p in proposals if p.move.endswith("block sizes ×2"))
    assert "configs=_kw_pinned_config(CONFIGS, 0, 1, 0)" in doubled.source
    verdict = asyncio.run(harness.evaluate(str(path), doubled.source, "cpu", use_cache=False))
    assert verdict.outcome == "ok", verdict.message
    # the pinned config is what the autotuner is left with: BLOCK_SIZE doubled, alone
    namespace: dict = {}
    exec(tunables.PINNED_CONFIG_HELPER, {"triton": __import__("triton")}, namespace)
    import triton

    pinned = namespace["_kw_pinned_config"](
        [triton.Config({"BLOCK_SIZE": 1024}, num_warps=4), triton.Config({"BLOCK_SIZE": 64})],
        1,
        -1,
        8,
    )
    assert len(pinned) == 1 and pinned[0].kwargs == {"BLOCK_SIZE": 32}
    assert pinned[0].num_warps == 8


def test_a_kernel_launched_through_its_warmup_handle_is_searched_and_runs_on_cpu(tmp_path):
    """Triton's tutorial 02: `softmax_kernel.warmup(..., num_warps=num_warps, ...)`, the
    literals assigned to locals, then a launch through the handle. Under the CPU
    interpreter `warmup` gives no handle; the harness's stand-in lets the reference and
    the candidates run, and the tunables are the locals' literals."""
    path = _tutorial_problem(
        tmp_path,
        "tutorial_fused_softmax.py",
        "softmax_kernel.warmup",
        ("def softmax(x):", "# kernelwright: x: float32[64, 781]"),
    )
    launch = tunables.find_launch(path.read_text())
    # the kernel strides by tl.num_programs(0): its grid is a tunable too
    assert launch is not None
    assert launch.default == {"num_warps": 8, "num_stages": 2, "grid_shift": 0}
    assert ({**launch.default, "grid_shift": -1}, "programs ÷2") in tunables.neighbours(
        launch, launch.default
    )
    candidate = tunables.render(
        path.read_text(), launch, {"num_warps": 4, "num_stages": 3, "grid_shift": -2}
    )
    assert "    num_warps = 4\n    num_stages = 3\n" in candidate
    assert "kernel[(max(1, (num_programs) >> 2), 1, 1)](y, x," in candidate
    harness = Harness()
    verdict = asyncio.run(harness.evaluate(str(path), candidate, "cpu", use_cache=False))
    assert verdict.outcome == "ok", verdict.message


def test_a_kernel_with_one_program_per_block_has_no_grid_tunable(tmp_path):
    """add_kernel reads tl.program_id alone: fewer programs would leave blocks undone."""
    launch = tunables.find_launch(_triton_problem(tmp_path).read_text())
    assert launch is not None and launch.grid is None
    assert all(
        "grid_shift" not in config for config, _ in tunables.neighbours(launch, launch.default)
    )


def test_a_launch_through_a_local_alias_is_searched():
    """`kern = add_kernel` then `kern[grid](..., BLOCK=1024)`: the same tunables, changed
    in the grid and the launch alike."""
    source = (
        "import triton\nimport triton.language as tl\nimport torch.nn as nn\n\n\n"
        "@triton.jit\ndef add_kernel(x_ptr, n, BLOCK: tl.constexpr):\n    pass\n\n\n"
        "def add(x):\n    kern = add_kernel\n"
        "    kern[(triton.cdiv(x.numel(), 1024),)](x, x.numel(), BLOCK=1024, num_warps=4)\n"
        "    return x\n\n\n"
        "class Model(nn.Module):\n    def forward(self, x):\n        return add(x)\n"
    )
    launch = tunables.find_launch(source)
    assert launch is not None and launch.kernel == "add_kernel"
    assert launch.default == {"BLOCK": 1024, "num_warps": 4}
    candidate = tunables.render(source, launch, {"BLOCK": 2048, "num_warps": 8})
    assert (
        "kern[(triton.cdiv(x.numel(), 2048),)](x, x.numel(), BLOCK=2048, num_warps=8)" in candidate
    )
