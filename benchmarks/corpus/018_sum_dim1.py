"""Sum reduction over dim 1 of a 3-D tensor (dimension dropped)."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 64  # test: 3
DIM1 = 4096  # test: 17
DIM2 = 1021  # test: 13


class Model(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sum(x, dim=self.dim)


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM1, DIM2)]


def get_init_inputs():
    return [1]
