"""Max reduction over dim 1, keeping only the values of torch.max."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 64  # test: 3
DIM1 = 4096  # test: 19
DIM2 = 1024  # test: 7


class Model(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return torch.max(x, dim=self.dim)[0]


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM1, DIM2)]


def get_init_inputs():
    return [1]
