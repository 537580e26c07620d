"""Sigmoid written out as 1 / (1 + torch.exp(-x))."""

import torch
import torch.nn as nn

CLASS = "spelling"

BATCH_SIZE = 4096  # test: 5
DIM = 16384  # test: 37


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return 1.0 / (1.0 + torch.exp(-x))


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM) * 5]


def get_init_inputs():
    return []
