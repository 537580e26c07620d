"""Multiply by torch.tensor(2.0) created inside forward, then sigmoid."""

import torch
import torch.nn as nn

CLASS = "spelling"

BATCH_SIZE = 4096  # test: 5
DIM = 16384  # test: 37


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        two = torch.tensor(2.0)
        return torch.sigmoid(x * two)


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM)]


def get_init_inputs():
    return []
