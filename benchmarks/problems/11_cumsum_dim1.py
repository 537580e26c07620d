"""Inclusive prefix sum along dim 1 (KernelBench level 1 scan)."""

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 128
LENGTH = 32768  # test: 37


class Model(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return torch.cumsum(x, dim=self.dim)


def get_inputs():
    return [torch.randn(BATCH, LENGTH)]


def get_init_inputs():
    return [1]