"""Tanh-approximate GELU held as nn.GELU(approximate='tanh') on (batch, seq, hidden)."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH = 16  # test: 3
SEQ_LEN = 4096  # test: 7
HIDDEN_SIZE = 1024  # test: 13


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.act = nn.GELU(approximate="tanh")

    def forward(self, hidden_states):
        return self.act(hidden_states)


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, HIDDEN_SIZE) * 3]


def get_init_inputs():
    return []
