"""Flywheel pair (issue 22), second problem: the same RMSNorm at a large model's hidden
size (Llama 3 405B's 16384): 8192 tokens, 64x fewer rows, 16x longer."""

import torch
import torch.nn as nn

TOKENS = 8192  # test: 5
HIDDEN = 16384  # test: 900


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
