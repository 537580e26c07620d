"""Mean reduction over the last dim of a (batch, dim1, dim2) tensor."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 64  # test: 3
DIM1 = 1024  # test: 5
DIM2 = 4095  # test: 37


class Model(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return torch.mean(x, dim=self.dim)


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM1, DIM2)]


def get_init_inputs():
    return [2]
