"""Flywheel pair (issue 22), first problem: RMSNorm over a small model's hidden
size (T5's LayerNorm / Llama's RMSNorm, written out): 262144 tokens of 1024."""

import torch
import torch.nn as nn

TOKENS = 262144  # test: 9
HIDDEN = 1024  # test: 200


class Model(nn.Module):
    def __init__(self, hidden, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden))
        self.eps = eps

    def forward(self, hidden_states):
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.eps)
        return self.weight * hidden_states


def get_inputs():
    return [torch.randn(TOKENS, HIDDEN)]


def get_init_inputs():
    return [HIDDEN]
