"""LLaMA-style SwiGLU MLP: down(silu(gate(x)) * up(x))."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "chain"

BATCH = 4  # test: 2
SEQ_LEN = 2048  # test: 5
HIDDEN_SIZE = 2048  # test: 13
INTERMEDIATE_SIZE = 5632  # test: 29


class Model(nn.Module):
    def __init__(self, hidden_size, intermediate_size):
        super().__init__()
        self.gate_proj = nn.Linear(hidden_size, intermediate_size, bias=False)
        self.up_proj = nn.Linear(hidden_size, intermediate_size, bias=False)
        self.down_proj = nn.Linear(intermediate_size, hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, HIDDEN_SIZE)]


def get_init_inputs():
    return [HIDDEN_SIZE, INTERMEDIATE_SIZE]
