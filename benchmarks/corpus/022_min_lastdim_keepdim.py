"""Min over the last dimension with keepdim, using the .values of x.min."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 64  # test: 3
SEQ = 1024  # test: 5
DIM = 2047  # test: 41


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return x.min(dim=-1, keepdim=True).values


def get_inputs():
    return [torch.randn(BATCH_SIZE, SEQ, DIM) * 10]


def get_init_inputs():
    return []
