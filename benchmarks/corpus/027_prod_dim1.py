"""Product reduction over dim 1 of values near one."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 128  # test: 3
DIM1 = 256  # test: 7
DIM2 = 4096  # test: 13


class Model(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return torch.prod(x, dim=self.dim)


def get_inputs():
    return [torch.rand(BATCH_SIZE, DIM1, DIM2) * 0.2 + 0.9]


def get_init_inputs():
    return [1]
