"""Blocks that return a tuple, as model code writes them, had no candidate ("the
generator writes models that return one tensor"): LLaMA's `apply_rotary_pos_emb`
(q and k), Mixtral's router (top-k weights and expert indices, `topk`'s shape unknown
after capture) and GPT-2's attention input (layer norm, `c_attn`, `split` into query,
key and value heads). Each now gets a candidate that returns the same tuple and verifies."""

from __future__ import annotations

import pytest
from kernelwright.agent.generator import partition
from kernelwright.agent.generator.expr import Unsupported

from tests.helpers_problems import (
    captured_cases,
    first_proposal,
    unverified_first_proposals,
)

ROTATE_HALF = "torch.cat((-{x}[..., 4:], {x}[..., :4]), dim=-1)"
CASES = {
    "llama_rotary_q_and_k": (
        "pass",
        "q, k, cos, sin",
        "cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)\n"
        f"        q_embed = (q * cos) + ({ROTATE_HALF.format(x='q')} * sin)\n"
        f"        k_embed = (k * cos) + ({ROTATE_HALF.format(x='k')} * sin)\n"
        "        return q_embed, k_embed",
        "torch.randn(2, 3, 10, 8), torch.randn(2, 3, 10, 8), "
        "torch.rand(2, 10, 8).cos(), torch.rand(2, 10, 8).sin()",
    ),
    "mixtral_router_top2": (
        "self.gate = nn.Linear(16, 8, bias=False)",
        "hidden_states",
        "routing_weights = F.softmax(self.gate(hidden_states), dim=1, dtype=torch.float)\n"
        "        routing_weights, selected_experts = torch.topk(routing_weights, 2, dim=-1)\n"
        "        routing_weights /= routing_weights.sum(dim=-1, keepdim=True)\n"
        "        return routing_weights.to(hidden_states.dtype), selected_experts",
        "torch.randn(13, 16)",
    ),
    "gpt2_qkv_heads": (
        "self.ln_1 = nn.LayerNorm(24)\n        self.c_attn = nn.Linear(24, 72)",
        "hidden_states",
        "query, key, value = self.c_attn(self.ln_1(hidden_states)).split(24, dim=2)\n"
        "        split = lambda t: t.view(t.size()[:-1] + (4, 6)).permute(0, 2, 1, 3)\n"
        "        return split(query), split(key), split(value)",
        "torch.randn(2, 7, 24)",
    ),
    "returns_its_input_too": (
        "pass",
        "x",
        "return x, torch.relu(x)",
        "torch.randn(4, 8)",
    ),
}


problems = captured_cases(CASES)


def test_each_output_is_a_stage_returned_in_the_models_order(problems):
    program = partition(problems["gpt2_qkv_heads"][1])
    assert len(program.outputs) == 3
    assert [s.value for s in program.output_stages()] == list(program.outputs)
    router = partition(problems["mixtral_router_top2"][1])
    assert [s.dtype for s in router.output_stages()] == ["float32", "int64"]


def test_topk_runs_once_for_both_of_its_results(problems):
    source = first_proposal(*problems["mixtral_router_top2"]).source
    assert source.count("aten.topk") == 1, source


def test_an_input_returned_unchanged_is_said(problems):
    with pytest.raises(Unsupported, match="returns an input or a parameter unchanged"):
        partition(problems["returns_its_input_too"][1])


@pytest.mark.slow
def test_each_tuple_block_gets_a_kernel_that_verifies(problems):
    cases = [problems[name] for name in CASES if name != "returns_its_input_too"]
    assert unverified_first_proposals(cases) == []
