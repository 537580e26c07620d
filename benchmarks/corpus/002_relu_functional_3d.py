"""ReLU on a (batch, seq, hidden) tensor, spelled F.relu."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "single"

BATCH = 32  # test: 3
SEQ_LEN = 2048  # test: 7
HIDDEN_SIZE = 1024  # test: 13


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return F.relu(x)


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, HIDDEN_SIZE)]


def get_init_inputs():
    return []
