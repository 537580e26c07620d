"""Post-norm residual: LayerNorm(x + Linear(x))."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH = 16  # test: 3
SEQ_LEN = 1024  # test: 7
HIDDEN_SIZE = 1024  # test: 19


class Model(nn.Module):
    def __init__(self, hidden_size, layer_norm_eps=1e-12):
        super().__init__()
        self.dense = nn.Linear(hidden_size, hidden_size)
        self.LayerNorm = nn.LayerNorm(hidden_size, eps=layer_norm_eps)

    def forward(self, hidden_states):
        return self.LayerNorm(hidden_states + self.dense(hidden_states))


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, HIDDEN_SIZE)]


def get_init_inputs():
    return [HIDDEN_SIZE]
