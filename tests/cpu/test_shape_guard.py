"""A generated candidate reads its leading dim (the batch) from its inputs at run
time, so it runs right at batch 1, at an odd batch and at a batch larger than the
problem's, and on a transposed view (issue 16); other dims and the dtype stay what it was built for, and
there it refuses: `ModelNew` raises a ValueError that says which input, what it
was built for and what to do, and `kw_accepts` says no, so applied code runs the
original PyTorch."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import PROBLEMS
from tests.helpers_problems import capture_many, first_proposal, root_proposals, written_problems

_PROBLEM = """import torch
import torch.nn as nn


class Model(nn.Module):
    def forward(self, X, W):
        return {expression}


def get_inputs():
    return [torch.randn(6, 40), torch.randn(40)]


def get_init_inputs():
    return []
"""


def _interpreted(script: str, *candidates) -> list[str]:
    """`script` run under the Triton interpreter with the candidate files as arguments
    (each loaded by `_LOAD` as `module`); its printed lines."""
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, candidates)],
        env={**os.environ, "TRITON_INTERPRET": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.splitlines()


_LOAD = """
import importlib.util, math, sys, torch

def load(path):
    spec = importlib.util.spec_from_file_location("candidate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
"""

_RUN = (
    _LOAD
    + """
module = load(sys.argv[1])
model = module.ModelNew()
reference = {expression}
w = torch.randn(40)
# the last: a transposed view (not contiguous), as a caller's activation may be
for x in [torch.randn(6, 40), torch.randn(1, 40), torch.randn(3, 40), torch.randn(37, 40),
          torch.randn(40, 5).t()]:
    error = float((model(x, w) - reference(x, w)).abs().max())
    print("RAN at", tuple(x.shape), "accepts", module.kw_accepts(x, w), "max error", error)
for args in [(torch.randn(6, 41), torch.randn(41)), (torch.randn(6, 40, dtype=torch.float64), w)]:
    print("accepts", module.kw_accepts(*args))
    try:
        model(*args)
        print("RAN at", tuple(args[0].shape), args[0].dtype)
    except ValueError as err:
        print("REFUSED", err)
"""
)


@pytest.mark.slow
@pytest.mark.parametrize(
    "expression",
    [
        "torch.relu(X * W) + 1.0",
        "torch.softmax(X * W, dim=-1)",
        "torch.nn.functional.layer_norm(X * W, (40,))",
        "(X * W).sum(dim=1, keepdim=True)",
    ],
    ids=["pointwise", "softmax", "layer_norm", "row_sum"],
)
def test_a_candidate_runs_at_any_batch_and_refuses_other_sizes(tmp_path, expression):
    [path] = written_problems(tmp_path, _PROBLEM, {"problem": {"expression": expression}})
    [graph] = capture_many([path])
    candidate = tmp_path / "best.py"
    candidate.write_text(first_proposal(path, graph).source)
    lam = "lambda X, W: " + expression
    script = _RUN.replace("{expression}", lam)
    lines = _interpreted(script, candidate)
    for line, batch in zip(lines[:5], (6, 1, 3, 37, 5), strict=True):
        assert line.startswith(f"RAN at ({batch}, 40) accepts True"), line
        assert float(line.split()[-1]) < 1e-4, line  # the kernel's answer at that batch
    assert lines[5] == "accepts False"
    assert lines[6].startswith("REFUSED") and "`X` of shape (None, 40)" in lines[6], lines[6]
    assert "called with (6, 41)" in lines[6] and "Run Optimize again" in lines[6]
    assert lines[7] == "accepts False"
    assert lines[8].startswith("REFUSED") and "torch.float64" in lines[8], lines[8]


_ACTIVATION = """import math

import torch
import torch.nn as nn

BATCH, SEQ, N_EMBD = 2, 12, 16


class Model(nn.Module):
    \"\"\"nanoGPT's tanh GELU over the MLP's hidden activations, times a gate.\"\"\"

    def forward(self, H, gate):
        inner = math.sqrt(2.0 / math.pi) * (H + 0.044715 * torch.pow(H, 3.0))
        return 0.5 * H * (1.0 + torch.tanh(inner)) * gate


def get_inputs():
    return [torch.randn(BATCH, SEQ, 4 * N_EMBD), torch.randn(BATCH, SEQ, 4 * N_EMBD)]


def get_init_inputs():
    return []
"""

_RUN_EVERY_SHAPE = (
    _LOAD
    + """
module = load(sys.argv[1])
model = module.ModelNew()

def reference(h, g):
    return 0.5 * h * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (h + 0.044715 * h ** 3))) * g

# prefill, decode, an odd prompt, a wider MLP, a transposed view
for h in [torch.randn(2, 12, 64), torch.randn(1, 1, 64), torch.randn(3, 17, 64),
          torch.randn(2, 5, 96), torch.randn(2, 64, 12).transpose(1, 2)]:
    g = torch.randn(h.shape).transpose(1, 2).contiguous().transpose(1, 2) if not h.is_contiguous() else torch.randn(h.shape)
    error = float((model(h, g) - reference(h, g)).abs().max())
    print("RAN at", tuple(h.shape), "accepts", module.kw_accepts(h, g), "max error", error)
print("accepts", module.kw_accepts(torch.randn(2, 12, 64), torch.randn(2, 12, 1)))
"""
)


@pytest.mark.slow
def test_an_elementwise_chain_over_whole_inputs_runs_at_every_shape(tmp_path):
    """Every dim read at run time (agent/generator/leading.py): a model's activation at
    prefill, decode, an odd prompt length and another width; inputs that disagree on
    their shape are declined."""
    [path] = written_problems(tmp_path, _ACTIVATION, {"problem": {}})
    [graph] = capture_many([path])
    source = first_proposal(path, graph).source
    assert "kw_shape = H.shape" in source
    candidate = tmp_path / "best.py"
    candidate.write_text(source)
    lines = _interpreted(_RUN_EVERY_SHAPE, candidate)
    shapes = [(2, 12, 64), (1, 1, 64), (3, 17, 64), (2, 5, 96), (2, 12, 64)]
    for line, shape in zip(lines[:5], shapes, strict=True):
        assert line.startswith(f"RAN at {shape} accepts True"), line
        assert float(line.split()[-1]) < 1e-4, line
    assert lines[5] == "accepts False"  # a gate broadcast over the last dim: not this kernel


_RUN_ROW_LENGTHS = (
    _LOAD
    + """
for path in sys.argv[1:]:
    module = load(path)
    model = module.ModelNew(32)
    # training shape, decode (one query, 65 keys), an odd prompt, a long one, a
    # dtype it was not built for
    for att in [torch.randn(2, 4, 64, 64), torch.randn(1, 4, 1, 65), torch.randn(3, 4, 17, 17),
                torch.randn(1, 2, 3, 1000), torch.randn(2, 4, 64, 64, dtype=torch.float64)]:
        accepted = module.kw_accepts(att)
        error = None
        if accepted:
            expected = torch.softmax(att / math.sqrt(32), dim=-1)
            error = float((model(att) - expected).abs().max())
        print("AT", tuple(att.shape), "accepts", accepted, "max error", error)
    print("accepts", module.kw_accepts(torch.randn(1, 1, 1, 40000)))
"""
)


@pytest.mark.slow
def test_a_last_dim_softmax_takes_its_block_from_the_rows_bucket(tmp_path):
    """Issue 16: the softmax's row length is read at run time and its launch config looked
    up by the row's power-of-two bucket (the searched config for the problem's, the
    family's heuristic for the others), for the one-row kernel and the several-rows one;
    rows past the one-pass limit are declined, so applied code runs the original."""
    from kernelwright.agent.generator.plan import plan
    from kernelwright.agent.generator.render import render

    path = PROBLEMS / "attention_scores_softmax.py"
    [graph] = capture_many([path])
    found = plan(graph)
    assert found is not None and found.family == "softmax"
    one_row = {"passes": "one", "BLOCK_R": 64, "BLOCK_INNER": 1, "num_warps": 2}
    several = {**one_row, "num_warps": 4, "ROWS": 8}
    sources = [render(found, one_row), render(found, several)]
    assert "    64: (64, 2, 1),\n" in sources[0] and "    64: (64, 4, 8),\n" in sources[1]
    assert "    1024: (1024, 4, 1),\n" in sources[0]  # softmax.default's block for 1024
    files = []
    for number, source in enumerate(sources):
        files.append(tmp_path / f"best{number}.py")
        files[-1].write_text(source)
    lines = _interpreted(_RUN_ROW_LENGTHS, *files)
    assert len(lines) == 12, lines
    for lines_of_one in (lines[:6], lines[6:]):
        for line in lines_of_one[:4]:
            assert " accepts True " in line and float(line.split()[-1]) < 1e-5, line
        assert lines_of_one[4].endswith("accepts False max error None")  # float64
        assert lines_of_one[5] == "accepts False"  # 40000 > the fp32 one-pass limit


_MLP = """import torch
import torch.nn as nn

N_EMBD = 16


class Model(nn.Module):
    \"\"\"A GPT MLP's first half: c_fc then GELU, over [batch, seq, n_embd].\"\"\"

    def __init__(self, n_embd):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd)
        self.gelu = nn.GELU()

    def forward(self, X):
        return self.gelu(self.c_fc(X))


def get_inputs():
    return [torch.randn(2, 12, N_EMBD)]


def get_init_inputs():
    return [N_EMBD]
"""

_BMM = """import torch
import torch.nn as nn


class Model(nn.Module):
    def forward(self, Q, K):
        return torch.relu(torch.bmm(Q, K) * 0.125)


def get_inputs():
    return [torch.randn(6, 20, 16), torch.randn(6, 16, 24)]


def get_init_inputs():
    return []
"""

_RUN_MATMULS = (
    _LOAD
    + """
torch.manual_seed(0)
mlp = torch.nn.Sequential(torch.nn.Linear(16, 64), torch.nn.GELU())
for path in sys.argv[1:3]:
    module = load(path)
    model = module.ModelNew(16)
    model.load_state_dict({"c_fc.weight": mlp[0].weight, "c_fc.bias": mlp[0].bias})
    # prefill, decode, an odd prompt, a transposed view, another width (K is the weight's)
    for x in [torch.randn(2, 12, 16), torch.randn(1, 1, 16), torch.randn(3, 17, 16),
              torch.randn(2, 16, 12).transpose(1, 2), torch.randn(2, 12, 17)]:
        accepted = module.kw_accepts(x)
        error = float((model(x) - mlp(x)).abs().max()) if accepted else None
        print("MLP", tuple(x.shape), "accepts", accepted, "max error", error)
for path in sys.argv[3:]:
    module = load(path)
    model = module.ModelNew()
    for batch, rows in [(6, 20), (1, 20), (3, 20), (3, 21)]:
        q, k = torch.randn(batch, rows, 16), torch.randn(batch, 16, 24)
        accepted = module.kw_accepts(q, k)
        expected = torch.relu(torch.bmm(q, k) * 0.125)
        error = float((model(q, k) - expected).abs().max()) if accepted else None
        print("BMM", (batch, rows), "accepts", accepted, "max error", error)
"""
)


@pytest.mark.slow
def test_a_matmul_reads_the_rows_that_follow_the_batch(tmp_path):
    """Issue 16: nn.Linear over [batch, seq, K] reads every dim but K at run time (prefill,
    decode, any prompt length), `bmm` its batch; the tile kernel and cuBLAS + fused
    epilogue both. K, fixed by the weight, and bmm's rows stay what they were built for."""
    from kernelwright.agent.generator.plan import plan
    from kernelwright.agent.generator.render import render
    from kernelwright.agent.generator.templates.matmul import triton_matmul_config

    paths = written_problems(tmp_path, _MLP, {"mlp": {}}) + written_problems(
        tmp_path, _BMM, {"bmm": {}}
    )
    files = []
    for path, graph in zip(paths, capture_many(paths), strict=True):
        found = plan(graph)
        assert found is not None and found.family == "matmul"
        for config in (
            {"impl": "torch", "BLOCK": 256, "num_warps": 4},
            triton_matmul_config(found),
        ):
            files.append(tmp_path / f"{path.stem}-{config['impl']}.py")
            files[-1].write_text(render(found, config))
    mlp_source = files[1].read_text()
    assert (
        "kw_shape = X.shape" in mlp_source and "triton.cdiv((kw_lead * kw_shape[1]), " in mlp_source
    )
    lines = _interpreted(_RUN_MATMULS, *files)
    assert len(lines) == 18, lines
    for mlp_lines in (lines[0:5], lines[5:10]):
        for line in mlp_lines[:4]:
            assert " accepts True " in line and float(line.split()[-1]) < 1e-4, line
        assert mlp_lines[4] == "MLP (2, 12, 17) accepts False max error None"
    for bmm_lines in (lines[10:14], lines[14:18]):
        for line in bmm_lines[:3]:
            assert " accepts True " in line and float(line.split()[-1]) < 1e-4, line
        assert bmm_lines[3] == "BMM (3, 21) accepts False max error None"


_CONV = """import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, groups):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, padding=1, groups=groups)

    def forward(self, x):
        return torch.relu(self.conv(x)) * 0.5


def get_inputs():
    return [torch.randn(4, {channels}, 10, 10)]


def get_init_inputs():
    return [{channels}, 8, {groups}]
"""

_RUN_CONVS = (
    _LOAD
    + """
torch.manual_seed(0)
for path in sys.argv[1:]:
    module = load(path)
    channels, groups = (8, 8) if "depthwise" in path else (3, 1)
    conv = torch.nn.Conv2d(channels, 8, 3, padding=1, groups=groups)
    model = module.ModelNew(channels, 8, groups)
    model.conv.load_state_dict(conv.state_dict())
    for x in [torch.randn(b, channels, 10, 10) for b in (4, 1, 3, 5)] + [torch.randn(2, channels, 11, 10)]:
        accepted = module.kw_accepts(x)
        with torch.no_grad():
            error = float((model(x) - torch.relu(conv(x)) * 0.5).abs().max()) if accepted else None
        print("CONV", tuple(x.shape), "accepts", accepted, "max error", error)
"""
)


@pytest.mark.slow
def test_a_convolution_reads_its_batch(tmp_path):
    """Issue 16: a convolution's batch is read at run time, for cuDNN + fused epilogue, the
    implicit-GEMM Triton kernel and the direct depthwise one; other image sizes are
    declined (applied code runs the original)."""
    from kernelwright.agent.generator.plan import plan
    from kernelwright.agent.generator.render import render
    from kernelwright.agent.generator.templates import conv

    cases = {"dense": {"channels": 3, "groups": 1}, "depthwise": {"channels": 8, "groups": 8}}
    paths = written_problems(tmp_path, _CONV, cases)
    files = []
    for path, graph in zip(paths, capture_many(paths), strict=True):
        found = plan(graph)
        assert found is not None and found.family == "conv"
        wanted = {None, "triton"} if path.stem == "dense" else {"direct"}
        configs = {config.get("impl"): config for config in conv.space(found)}
        for impl in sorted(wanted, key=str):
            files.append(tmp_path / f"{path.stem}-{impl}.py")
            files[-1].write_text(render(found, configs[impl]))
            assert "kw_lead = x.shape[0]" in files[-1].read_text()
    lines = _interpreted(_RUN_CONVS, *files)
    assert len(lines) == 15, lines
    for start in (0, 5, 10):
        for line in lines[start : start + 4]:
            assert " accepts True " in line and float(line.split()[-1]) < 1e-4, line
        assert lines[start + 4].endswith("(2, 3, 11, 10) accepts False max error None") or lines[
            start + 4
        ].endswith("(2, 8, 11, 10) accepts False max error None"), lines[start + 4]


_ATTENTION = """import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    \"\"\"nanoGPT's CausalSelfAttention core over [batch, n_head, T, head_size].\"\"\"

    def forward(self, q, k, v):
        {body}


def get_inputs():
    return [torch.randn(2, 4, 24, 16), torch.randn(2, 4, 24, 16), torch.randn(2, 4, 24, 16)]


def get_init_inputs():
    return []
"""

_RUN_ATTENTION = (
    _LOAD
    + """
import torch.nn.functional as F

torch.manual_seed(0)
for path in sys.argv[1:]:
    module = load(path)
    model = module.ModelNew()
    causal = "flash" in path
    # training shape, decode (one query over a 65-key cache), an odd prompt, batch 3
    for batch, queries, keys in [(2, 24, 24), (1, 1, 65), (1, 17, 17), (3, 24, 40)]:
        q = torch.randn(batch, 4, queries, 16)
        k, v = torch.randn(batch, 4, keys, 16), torch.randn(batch, 4, keys, 16)
        accepted = module.kw_accepts(q, k, v)
        expected = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        error = float((model(q, k, v) - expected).abs().max()) if accepted else None
        print("ATTENTION", (batch, queries, keys), "accepts", accepted, "max error", error)
    q, k, v = torch.randn(1, 4, 5, 16), torch.randn(1, 4, 6, 16), torch.randn(1, 4, 7, 16)
    print("accepts", module.kw_accepts(q, k, v))
"""
)


@pytest.mark.slow
def test_attention_reads_its_batch_and_both_sequence_lengths(tmp_path):
    """Issue 16: the attention kernel serves prefill, decode against a longer KV cache and
    any prompt length (scaled_dot_product_attention with is_causal, and nanoGPT's written-out
    softmax(q @ k^T / sqrt(d)) @ v); keys and values that disagree are declined."""
    cases = {
        "flash": {"body": "return F.scaled_dot_product_attention(q, k, v, is_causal=True)"},
        "written_out": {
            "body": "att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))\n"
            "        att = F.softmax(att, dim=-1)\n"
            "        return att @ v"
        },
    }
    paths = written_problems(tmp_path, _ATTENTION, cases)
    files = []
    for path, graph in zip(paths, capture_many(paths), strict=True):
        source = first_proposal(path, graph).source
        assert "kw_queries = q.shape[-2]" in source and "kw_keys = k.shape[-2]" in source
        files.append(tmp_path / f"best-{path.stem}.py")
        files[-1].write_text(source)
    lines = _interpreted(_RUN_ATTENTION, *files)
    assert len(lines) == 10, lines
    for start in (0, 5):
        for line in lines[start : start + 4]:
            assert " accepts True " in line and float(line.split()[-1]) < 1e-4, line
        assert lines[start + 4] == "accepts False"


_GPT_MLP = _MLP.replace(
    "        self.gelu = nn.GELU()\n",
    "        self.gelu = nn.GELU()\n        self.c_proj = nn.Linear(4 * n_embd, n_embd)\n",
).replace("return self.gelu(self.c_fc(X))", "return self.c_proj(self.gelu(self.c_fc(X)))")

_RUN_PROGRAMS = (
    _LOAD
    + """
torch.manual_seed(0)
fc, proj = torch.nn.Linear(16, 64), torch.nn.Linear(64, 16)
state = {"c_fc.weight": fc.weight, "c_fc.bias": fc.bias, "c_proj.weight": proj.weight,
         "c_proj.bias": proj.bias}
for path in sys.argv[1:]:
    module = load(path)
    model = module.ModelNew(16)
    model.load_state_dict(state)
    with torch.no_grad():
        for x in [torch.randn(2, 12, 16), torch.randn(1, 12, 16), torch.randn(5, 12, 16),
                  torch.randn(2, 13, 16)]:
            accepted = module.kw_accepts(x)
            expected = proj(torch.nn.functional.gelu(fc(x)))
            error = float((model(x) - expected).abs().max()) if accepted else None
            print("PROGRAM", tuple(x.shape), "accepts", accepted, "max error", error)
"""
)


@pytest.mark.slow
def test_a_program_of_several_kernels_reads_its_batch(tmp_path):
    """Issue 16: a whole GPT MLP forward (c_fc, GELU, c_proj: a program of two kernels, or a
    library linear and Triton stages) reads its batch at run time in every stage; a sequence
    length it was not built for is declined (applied code runs the original)."""
    [path] = written_problems(tmp_path, _GPT_MLP, {"gpt_mlp": {}})
    [graph] = capture_many([path])
    files = []
    for number, proposal in enumerate(root_proposals(path, graph, 3)):
        assert "family: program" in proposal.source and "kw_lead = X.shape[0]" in proposal.source
        files.append(tmp_path / f"best{number}.py")
        files[-1].write_text(proposal.source)
    lines = _interpreted(_RUN_PROGRAMS, *files)
    assert len(lines) == 12, lines
    for start in (0, 4, 8):
        for line in lines[start : start + 3]:
            assert " accepts True " in line and float(line.split()[-1]) < 1e-4, line
        assert lines[start + 3] == "PROGRAM (2, 13, 16) accepts False max error None"


_ROW_REDUCTION = """import torch
import torch.nn as nn


class Model(nn.Module):
    def forward(self, router_logits):
        return {expression}


def get_inputs():
    return [torch.randn(4, 6, 48)]


def get_init_inputs():
    return []
"""

_RUN_ROW_REDUCTIONS = (
    _LOAD
    + """
for path, expression in zip(sys.argv[1::2], sys.argv[2::2]):
    module = load(path)
    model = module.ModelNew()
    reference = eval("lambda router_logits: " + expression)
    # the problem's shape, decode, an odd row, a row past the block the kernel loops by
    for x in [torch.randn(4, 6, 48), torch.randn(1, 1, 48), torch.randn(3, 5, 47),
              torch.randn(2, 3, 1000)]:
        accepted = module.kw_accepts(x)
        error = float((model(x).double() - reference(x).double()).abs().max()) if accepted else None
        print("REDUCE", tuple(x.shape), "accepts", accepted, "max error", error)
"""
)


@pytest.mark.slow
def test_a_last_dim_reduction_reads_every_dim(tmp_path):
    """Issue 16: a one-pass reduction over the last dim loops over the row up to its run-time
    length, so every dim is read at run time: a router's z-loss logsumexp, an RMS statistic
    written out (`pow(2).mean(-1, keepdim=True)`), an argmax over the vocabulary."""
    expressions = {
        "logsumexp": "torch.logsumexp(router_logits, dim=-1)",
        "mean_square": "router_logits.pow(2).mean(-1, keepdim=True)",
        "argmax": "torch.argmax(router_logits, dim=-1)",
    }
    cases = {name: {"expression": e} for name, e in expressions.items()}
    paths = written_problems(tmp_path, _ROW_REDUCTION, cases)
    arguments = []
    for path, graph in zip(paths, capture_many(paths), strict=True):
        source = first_proposal(path, graph).source
        assert "kw_shape = router_logits.shape" in source, path.stem
        candidate = tmp_path / f"best-{path.stem}.py"
        candidate.write_text(source)
        arguments += [candidate, expressions[path.stem]]
    lines = _interpreted(_RUN_ROW_REDUCTIONS, *arguments)
    assert len(lines) == 12, lines
    for line in lines:
        assert " accepts True " in line and float(line.split()[-1]) < 1e-4, line
