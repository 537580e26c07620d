"""ELU with a configurable alpha."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "single"

BATCH_SIZE = 4096  # test: 3
DIM = 16384  # test: 53


class Model(nn.Module):
    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.elu(x, alpha=self.alpha)


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM)]


def get_init_inputs():
    return [1.5]
