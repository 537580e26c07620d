"""RMSNorm (LLaMA style, with weight) -> bias-free Linear."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH = 8  # test: 3
SEQ_LEN = 2048  # test: 5
HIDDEN_SIZE = 2048  # test: 37
OUT_FEATURES = 2048  # test: 23


class Model(nn.Module):
    def __init__(self, hidden_size, out_features, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.variance_epsilon = eps
        self.proj = nn.Linear(hidden_size, out_features, bias=False)

    def forward(self, hidden_states):
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.variance_epsilon)
        hidden_states = self.weight * hidden_states
        return self.proj(hidden_states)


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, HIDDEN_SIZE)]


def get_init_inputs():
    return [HIDDEN_SIZE, OUT_FEATURES]
