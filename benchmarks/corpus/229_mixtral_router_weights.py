"""Mixtral's router weights: softmax in float32 over the expert logits, top-2, renormalised, cast back."""

import torch
import torch.nn.functional as F
from torch import nn

CLASS = "models"

TOKENS = 16384  # test: 13
HIDDEN = 4096  # test: 16
EXPERTS = 8  # test: 8
TOP_K = 2


class Model(nn.Module):
    def __init__(self, hidden_dim, num_experts, top_k):
        super().__init__()
        self.top_k = top_k
        self.gate = nn.Linear(hidden_dim, num_experts, bias=False)

    def forward(self, hidden_states):
        router_logits = self.gate(hidden_states)
        routing_weights = F.softmax(router_logits, dim=1, dtype=torch.float)
        routing_weights, selected_experts = torch.topk(routing_weights, self.top_k, dim=-1)
        routing_weights /= routing_weights.sum(dim=-1, keepdim=True)
        routing_weights = routing_weights.to(hidden_states.dtype)
        return routing_weights, selected_experts


def get_inputs():
    return [torch.randn(TOKENS, HIDDEN)]


def get_init_inputs():
    return [HIDDEN, EXPERTS, TOP_K]
