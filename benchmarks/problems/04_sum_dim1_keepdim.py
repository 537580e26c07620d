"""Sum over the middle dim with keepdim (KernelBench level 1 style), strided reduction."""

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 128
DIM1 = 4096
DIM2 = 1024


class Model(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return torch.sum(x, dim=self.dim, keepdim=True)


def get_inputs():
    return [torch.randn(BATCH, DIM1, DIM2)]


def get_init_inputs():
    return [1]