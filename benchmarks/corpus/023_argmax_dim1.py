"""Argmax over dim 1 of a 3-D tensor (int64 indices)."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 64  # test: 3
DIM1 = 4096  # test: 23
DIM2 = 1024  # test: 5


class Model(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return torch.argmax(x, dim=self.dim)


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM1, DIM2)]


def get_init_inputs():
    return [1]
