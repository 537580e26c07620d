"""SELU activation via torch.selu on a 3-D tensor."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH = 128  # test: 3
SEQ = 512  # test: 5
DIM = 1024  # test: 19


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.selu(x)


def get_inputs():
    return [torch.randn(BATCH, SEQ, DIM) * 4]


def get_init_inputs():
    return []
