"""Batched matmul plus a residual input, then relu and clamp."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CATEGORY = "fusion"  # bench: counts towards the fusion geomean

BATCH = 64
M = 512
K = 512
N = 512


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, a, b, residual):
        return torch.clamp(torch.relu(torch.bmm(a, b) + residual), max=4.0)


def get_inputs():
    return [torch.randn(BATCH, M, K), torch.randn(BATCH, K, N), torch.randn(BATCH, M, N)]


def get_init_inputs():
    return []
