"""Exact GELU written out as 0.5 * x * (1 + erf(x / sqrt(2)))."""

import math

import torch
import torch.nn as nn

CLASS = "spelling"

BATCH_SIZE = 4096  # test: 5
DIM = 16384  # test: 37


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM) * 3]


def get_init_inputs():
    return []
