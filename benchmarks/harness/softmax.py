"""Row-wise softmax over a wide activation (KernelBench level-1 style)."""

import torch
import torch.nn as nn

BATCH = 8192
DIM = 8192


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(x, dim=1)


def get_inputs():
    return [torch.randn(BATCH, DIM)]


def get_init_inputs():
    return []
