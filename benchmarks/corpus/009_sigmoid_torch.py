"""Sigmoid of a large 2-D tensor of wide-ranging values."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 4096  # test: 7
DIM = 16384  # test: 31


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.sigmoid(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM) * 20]


def get_init_inputs():
    return []
