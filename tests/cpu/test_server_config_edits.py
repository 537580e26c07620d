"""Settings parsing, candidate titles and the inline-apply edit (no LSP connection)."""

import subprocess
import sys
from pathlib import Path

import pytest
from kernelwright.server import config, detect, edits, problem
from kernelwright.server.documents import ParsedDocument
from kernelwright.server.results import Candidate, candidate_title, rank_candidates
from kernelwright.server.search_messages import ReportedNode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers_problems import apply_edits, run_under_interpreter  # noqa: E402

DATA = Path(__file__).parents[1] / "lsp" / "data"


def test_settings_defaults_and_messages():
    s, msgs = config.parse(
        {
            "kernelwright": {
                "device": "tpu",
                "budget": 3,
                "proposers": [],
                "timeLimitS": "10",
                "colour": "red",
            }
        }
    )
    assert (s.device, s.budget, s.proposers, s.time_limit_s) == ("auto", 3, ("embedded",), 300.0)
    assert "kernelwright.device must be one of auto, cpu, cuda; got 'tpu', using 'auto'" in msgs
    assert any("colour is not a setting" in m for m in msgs)
    assert any("timeLimitS must be a number above 0" in m for m in msgs)
    s2, msgs2 = config.parse({"strategy": "evolve", "storePath": "/tmp/x/results.sqlite"}, s)
    assert s2.strategy == "evolve" and s2.budget == 3 and not msgs2
    assert s2.problems_dir() == Path("/tmp/x/problems")
    assert config.parse("nope")[1][0].startswith("kernelwright settings must be an object")


def test_require_sandbox_setting():
    s, msgs = config.parse({"requireSandbox": False})
    assert s.require_sandbox is False and not msgs
    s, msgs = config.parse({"requireSandbox": "yes"})
    assert s.require_sandbox is None
    assert "kernelwright.requireSandbox must be true, false or null" in msgs[0]


def test_executor_setting_reaches_the_search():
    """The server only names the executor; its search process makes it (and imports Ray)."""
    from kernelwright.server import search_child
    from kernelwright.server import search_messages as msg

    s, msgs = config.parse({"executor": "ray", "rayAddress": "head:6379"})
    assert (s.executor, s.ray_address) == ("ray", "head:6379") and not msgs
    s, msgs = config.parse({"executor": "dask"})
    assert s.executor == "local"
    assert "kernelwright.executor must be one of local, ray" in msgs[0]
    request = msg.SearchRequest.from_json(
        msg.SearchRequest(
            "p.py", 1, 1.0, "mcts", None, "cpu", None, None, executor="ray", ray_address="h:1"
        ).to_json()
    )
    search, _ = search_child.search_config(request)
    assert (search.executor, search.ray_address) == ("ray", "h:1")


def test_titles_are_honest():
    cpu = Candidate(1, "a", "src", "ok", "cpu", None, {"bottleneck": None})
    assert (
        candidate_title("Apply candidate", cpu)
        == "Apply candidate #1 — verified on CPU (no timing)"
    )
    gpu = Candidate(
        2,
        "b",
        "src",
        "ok",
        "cuda",
        {"vs_eager": 2.43, "vs_compile": 1.1},
        {"bottleneck": "memory-bound", "pct_peak_bw": 86.2, "pct_peak_flops": 3.0},
    )
    assert (
        candidate_title("Apply candidate", gpu)
        == "Apply candidate #2 — 2.4× vs eager · memory-bound · 86% of peak DRAM BW"
    )
    # which shapes it serves: the harness's derived-shape verdicts (harness/derived_shapes.py)
    verified = [
        {"shape": "[1, 64]", "status": "verified"},
        {"shape": "[3, 64]", "status": "verified"},
    ]
    general = Candidate(3, "c", "src", "ok", "cpu", None, None, shapes=verified)
    assert candidate_title("Apply candidate", general).endswith(" · any batch size")
    declined = [verified[0], {"shape": "[3, 64]", "status": "original"}]
    specific = Candidate(4, "d", "src", "ok", "cpu", None, None, shapes=declined)
    assert candidate_title("Apply candidate", specific).endswith(
        " · this shape only (others run the original)"
    )
    # an odd last dim (harness/derived_shapes.py): declined, the batch still serves any size
    odd = {"shape": "[1, 63]", "derived": "leading dim 1, last dim 63"}
    narrow = Candidate(
        5, "e", "src", "ok", "cpu", None, None, shapes=[*verified, {**odd, "status": "original"}]
    )
    assert candidate_title("Apply candidate", narrow).endswith(" · any batch size")
    wide = Candidate(
        6, "f", "src", "ok", "cpu", None, None, shapes=[*verified, {**odd, "status": "verified"}]
    )
    assert candidate_title("Apply candidate", wide).endswith(" · any batch size or last dim")
    # verified PyTorch ops of its own (the harness's no-triton-kernel flag): said, not hidden
    plain = Candidate(7, "g", "src", "ok", "cpu", None, None, flags=["no-triton-kernel"])
    assert candidate_title("Apply candidate", plain) == (
        "Apply candidate #7 — verified on CPU (no timing) · no Triton kernel"
    )


def test_ranking_puts_measured_speed_first_and_skips_failures():
    nodes = [
        ReportedNode("1", source="s", outcome="ok", speedup={"vs_eager": 1.5}),
        ReportedNode("2", source="s", outcome="wrong"),
        ReportedNode("3", source="s", outcome="ok", speedup={"vs_eager": 3.0}),
        ReportedNode("4", source="s", outcome="ok", flags=["no-triton-kernel"]),
    ]
    ranked = rank_candidates(nodes, nodes[0], "cuda", "job", search_id="run")
    assert [c.id for c in ranked] == ["run/3", "run/1", "run/4"]
    assert [c.rank for c in ranked] == [1, 2, 3]
    assert ranked[2].flags == ["no-triton-kernel"]  # its title says it is no kernel


CANDIDATE = '''"""A candidate."""
import torch
import torch.nn as nn
import math


def helper(a):
    return a


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x, y):
        return helper(torch.relu(x) + y * 2.0) * math.cos(0.0)


def get_inputs():
    return []
'''


def _runs_like_the_original(folder: Path, edited: str, original: str) -> bool:
    """Both files run as scripts and print the same."""
    outputs = []
    for name, text in (("edited.py", edited), ("original.py", original)):
        path = folder / name
        path.write_text(text)
        res = subprocess.run(
            [sys.executable, str(path)], check=False, capture_output=True, text=True
        )
        assert res.returncode == 0, res.stderr
        outputs.append(res.stdout)
    return outputs[0] == outputs[1]


def test_apply_inserts_imports_and_rewires_the_call(tmp_path):
    source = (
        (DATA / "sample_model.py")
        .read_text()
        .replace("def scale_rows", "def helper(a):\n    return a\n\n\ndef scale_rows")
    )
    doc = ParsedDocument("file:///m.py", source, 1)
    start = source.index("torch.relu(x) + y * 2.0")
    target = detect.target_at(doc, start, start + len("torch.relu(x) + y * 2.0"))
    prob = problem.build(doc, target)
    changes = edits.build_edits(doc, prob, CANDIDATE, 1, "Apply candidate #1 — verified")
    out = apply_edits(doc, changes)
    assert out.count("import math") == 1 and out.count("import torch\n") == 1
    assert "def helper_kw(a):" in out and "return helper_kw(torch.relu(x)" in out  # no clash
    assert "z = kw_relu(x, y)" in out
    assert _runs_like_the_original(tmp_path, out, source)


def test_apply_refuses_a_forward_candidate_with_foreign_state():
    source = (DATA / "sample_model.py").read_text()
    doc = ParsedDocument("file:///m.py", source, 1)
    at = source.index("def forward")
    prob = problem.build(doc, detect.target_at(doc, at, at))
    bad = CANDIDATE.replace("super().__init__()", "super().__init__()\n        self.w = 1")
    bad = bad.replace("* math.cos(0.0)", "* self.w")
    with pytest.raises(edits.ApplyError, match="keeps state w"):
        edits.build_edits(doc, prob, bad, 1, "t")


TRITON_CANDIDATE = """import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def forward(self, x, y):
        return x + y
"""


def test_apply_for_a_triton_kernel_rewires_its_launcher(tmp_path):
    source = (DATA / "sample_triton.py").read_text()
    doc = ParsedDocument("file:///t.py", source, 1)
    at = source.index("add_kernel[")
    prob = problem.build(doc, detect.target_at(doc, at, at))
    changes = edits.build_edits(doc, prob, TRITON_CANDIDATE, 1, "Apply candidate #1 — verified")
    out = apply_edits(doc, changes)
    assert "def add(x, y):\n    return kw_add(x, y)\n" in out
    assert out.index("def kw_add(x, y):") < out.index("def add(x, y):")
    path = tmp_path / "t.py"
    path.write_text(out + "\nprint(add(torch.ones(8), torch.ones(8)).tolist())\n")
    res = run_under_interpreter(path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip() == str([2.0] * 8)


def test_apply_for_a_triton_kernel_without_a_launcher_says_so():
    # Candidates are found by the kernel's code alone, so one can outlive its launcher.
    source = (DATA / "sample_triton.py").read_text()
    doc = ParsedDocument("file:///t.py", source, 1)
    at = source.index("def scale_kernel")
    prob = problem.build(doc, detect.target_at(doc, at, at))
    with pytest.raises(edits.ApplyError, match=r"no launcher calls `scale_kernel\[grid\]"):
        edits.build_edits(doc, prob, TRITON_CANDIDATE, 1, "t")


def test_applied_kernels_built_for_one_shape_leave_other_shapes_to_the_original(tmp_path):
    """A generated candidate says which inputs its kernels were built for
    (`kw_accepts`); the applied code runs it only for those and keeps the
    original expression for every other call, instead of raising."""
    guarded = CANDIDATE.replace(
        "        return helper(torch.relu(x) + y * 2.0) * math.cos(0.0)",
        "        return torch.zeros_like(x)  # visibly not the original",
    ) + ("\n\ndef kw_accepts(x, y):\n    return tuple(x.shape) == (1, 1)\n")
    source = (DATA / "sample_model.py").read_text()
    doc = ParsedDocument("file:///m.py", source, 1)
    start = source.index("torch.relu(x) + y * 2.0")
    target = detect.target_at(doc, start, start + len("torch.relu(x) + y * 2.0"))
    prob = problem.build(doc, target)
    out = apply_edits(doc, edits.build_edits(doc, prob, guarded, 1, "Apply candidate #1 — ok"))
    assert "(kw_relu(x, y) if kw_accepts(x, y) else torch.relu(x) + y * 2.0)" in out
    # the file's shape is not (1, 1): the original ran, not the zeros
    assert _runs_like_the_original(tmp_path, out, source)
