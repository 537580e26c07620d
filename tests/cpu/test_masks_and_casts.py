"""Comparisons, `where`, `masked_fill` and dtype casts are pointwise steps, as public
model code writes them: an ELU written with `torch.where(X > 0, ...)`, ReLU as
`x * (x > 0)`, a causal mask filled with -inf, LLaMA's softmax in float32 cast back to
float16, its RMSNorm between casts, BERT's additive attention mask from an integer
mask. Each was a PyTorch call between kernels, or no candidate at all ("`softmax`,
`to`, `type_as` have no Triton template here"); each is now fused in the kernel
around it, and verifies."""

from __future__ import annotations

import pytest
from kernelwright.agent.generator import plan

from tests.conftest import script_lines
from tests.helpers_problems import (
    FORWARD_PROBLEM,
    capture_many,
    unverified_first_proposals,
    written_problems,
)

CASES = {
    "elu_with_where": (
        "X",
        "return torch.where(X > 0, X, ALPHA * (torch.exp(X) - 1))",
        "torch.randn(7, 33) * 4",
    ),
    "relu_as_mask_product": ("x", "return x * (x > 0) + 0.5 * x", "torch.randn(5, 29)"),
    "softmax_float32_then_type_as": (
        "scores",
        "return F.softmax(scores.float(), dim=-1).type_as(scores)",
        "torch.randn(2, 4, 17, 17, dtype=torch.float16) * 3",
    ),
    "softmax_dtype_keyword_then_to": (
        "attn_weights, query",
        "return F.softmax(attn_weights, dim=-1, dtype=torch.float32).to(query.dtype)",
        "torch.randn(2, 3, 11, 11, dtype=torch.float16) * 3, "
        "torch.randn(2, 3, 11, 5, dtype=torch.float16)",
    ),
    "llama_rms_norm_half": (
        "hidden_states",
        "input_dtype = hidden_states.dtype\n"
        "        hidden_states = hidden_states.to(torch.float32)\n"
        "        variance = hidden_states.pow(2).mean(-1, keepdim=True)\n"
        "        hidden_states = hidden_states * torch.rsqrt(variance + 1e-6)\n"
        "        return self.weight * hidden_states.to(input_dtype)",
        "torch.randn(3, 7, 13, dtype=torch.float16) * 2",
    ),
    # The model's weights left in float32 beside a bfloat16 input: the output is float32,
    # compared at float32's tolerance, so every bfloat16 rounding must be PyTorch's
    "llama_rms_norm_bf16_input_float32_weight": (
        "hidden_states",
        "input_dtype = hidden_states.dtype\n"
        "        hidden_states = hidden_states.to(torch.float32)\n"
        "        variance = hidden_states.pow(2).mean(-1, keepdim=True)\n"
        "        hidden_states = hidden_states * torch.rsqrt(variance + 1e-6)\n"
        "        return self.weight * hidden_states.to(input_dtype)",
        "torch.randn(3, 7, 13, dtype=torch.bfloat16) * 2",
    ),
    "layer_scale_after_bf16_gelu": (
        "x",
        "return F.gelu(x, approximate='tanh') * self.gamma",
        "torch.randn(4, 9, 48, dtype=torch.bfloat16)",
    ),
    # a cast to an integer dtype is no pointwise step: it runs as PyTorch's op between two
    "integer_cast_between_pointwise": (
        "x",
        "buckets = torch.clamp(x * 4.0, -8.0, 8.0).to(torch.int64)\n"
        "        return buckets.float() * 0.25 + torch.where(x > 0, x, 0.0)",
        "torch.randn(7, 33) * 3",
    ),
    "causal_mask_fill_then_softmax": (
        "att",
        "T = att.size(-1)\n"
        "        mask = torch.triu(torch.ones(T, T, device=att.device), diagonal=1).bool()\n"
        "        return torch.softmax(att.masked_fill(mask, float('-inf')), dim=-1)",
        "torch.randn(2, 3, 19, 19)",
    ),
    "bert_additive_mask_from_integers": (
        "scores, attention_mask",
        "extended = attention_mask[:, None, None, :].to(scores.dtype)\n"
        "        extended = (1.0 - extended) * torch.finfo(scores.dtype).min\n"
        "        return F.softmax(scores + extended, dim=-1)",
        "torch.randn(2, 3, 9, 9), torch.randint(0, 2, (2, 9))",
    ),
}

# LLaMA's weight in the model's half precision (a float32 weight would promote the output)
INIT = {
    "llama_rms_norm_bf16_input_float32_weight": "self.weight = nn.Parameter(torch.rand(13) + 0.5)",
    "layer_scale_after_bf16_gelu": "self.gamma = nn.Parameter(0.1 * torch.ones(48))",
    "llama_rms_norm_half": "self.weight = nn.Parameter(torch.rand(13, dtype=torch.float16) + 0.5)",
}

# What the embedded generator plans each one as: one kernel where there is one core op.
FAMILIES = {
    "elu_with_where": "pointwise",
    "relu_as_mask_product": "pointwise",
    "softmax_float32_then_type_as": "softmax",
    "softmax_dtype_keyword_then_to": "softmax",
    "llama_rms_norm_half": "norm",
    "llama_rms_norm_bf16_input_float32_weight": "norm",
    "layer_scale_after_bf16_gelu": "pointwise",
}


@pytest.fixture(scope="module")
def problems(tmp_path_factory):
    fields = {
        name: {"arguments": a, "body": b, "inputs": i, "init": INIT.get(name, "pass")}
        for name, (a, b, i) in CASES.items()
    }
    paths = written_problems(tmp_path_factory.mktemp("masks"), FORWARD_PROBLEM, fields)
    return list(zip(paths, capture_many(paths), strict=True))


def test_each_is_one_kernel_where_it_has_one_core_op(problems):
    planned = {path.stem: plan(graph) for path, graph in problems if path.stem in FAMILIES}
    assert {name: (p.family if p else None) for name, p in planned.items()} == FAMILIES


@pytest.mark.slow
def test_each_gets_a_kernel_that_verifies(problems):
    assert unverified_first_proposals(problems) == []


ROUNDING = r"""
import importlib.util, tempfile
import torch
from kernelwright.agent.generator.expr import Step
from kernelwright.agent.generator.templates.common import step_expression

rounded = step_expression(Step("cast", (), ("bfloat16",)), ["v"])
lines = [
    "import triton, triton.language as tl",
    "@triton.jit",
    "def kernel(x_ptr, o_ptr, n, B: tl.constexpr):",
    "    offs = tl.arange(0, B)",
    "    m = offs < n",
    "    v = tl.load(x_ptr + offs, mask=m, other=0.0)",
    "    tl.store(o_ptr + offs, " + rounded + ", mask=m)",
]
path = tempfile.mktemp(suffix=".py")
open(path, "w").write("\n".join(lines) + "\n")
spec = importlib.util.spec_from_file_location("rounding", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
special = [float("inf"), -float("inf"), float("nan"), 0.0, -0.0, 3.3895e38, -3.3895e38, 1e-40]
x = torch.cat([torch.randn(20000) * 3, torch.randn(500) * 1e38, torch.tensor(special)])
x = torch.cat([x, torch.tensor([0x7F800001], dtype=torch.int32).view(torch.float32)])
out = torch.empty_like(x)
module.kernel[(1,)](x, out, x.numel(), B=32768)
expected = x.bfloat16().float()
same = (out == expected) | (out.isnan() & expected.isnan())
print("DIFFER", int((~same).sum()))
"""


def test_a_bfloat16_cast_rounds_as_torch_does_under_the_interpreter():
    """The interpreter's own `.to(tl.bfloat16)` truncates: half the values of a normal
    draw came out one bfloat16 step from torch's. The cast is written on the bits."""
    assert script_lines(ROUNDING, {"TRITON_INTERPRET": "1"})[-1] == "DIFFER 0"
