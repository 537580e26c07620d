"""LayerNorm -> Linear projection."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH = 16  # test: 3
SEQ_LEN = 1024  # test: 5
HIDDEN_SIZE = 2048  # test: 37
OUT_FEATURES = 2048  # test: 17


class Model(nn.Module):
    def __init__(self, hidden_size, out_features):
        super().__init__()
        self.norm = nn.LayerNorm(hidden_size)
        self.proj = nn.Linear(hidden_size, out_features)

    def forward(self, x):
        return self.proj(self.norm(x))


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, HIDDEN_SIZE)]


def get_init_inputs():
    return [HIDDEN_SIZE, OUT_FEATURES]
