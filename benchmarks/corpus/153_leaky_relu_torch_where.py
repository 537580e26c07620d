"""LeakyReLU spelled as torch.where(x > 0, x, 0.01 * x)."""

import torch
import torch.nn as nn

CLASS = "spelling"

BATCH_SIZE = 4096  # test: 7
DIM = 16384  # test: 31


class Model(nn.Module):
    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return torch.where(x > 0, x, self.negative_slope * x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM)]


def get_init_inputs():
    return [0.01]
