"""LayerNorm over the hidden dim of (batch, seq, hidden) with an nn.LayerNorm submodule."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH = 32  # test: 3
SEQ_LEN = 1024  # test: 7
HIDDEN_SIZE = 2048  # test: 37


class Model(nn.Module):
    def __init__(self, hidden_size, eps=1e-5):
        super().__init__()
        self.ln = nn.LayerNorm(hidden_size, eps=eps)

    def forward(self, x):
        return self.ln(x)


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, HIDDEN_SIZE) * 2 + 1]


def get_init_inputs():
    return [HIDDEN_SIZE]
