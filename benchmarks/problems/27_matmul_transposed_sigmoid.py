"""x @ w.T with an explicit transpose and a bias parameter, then sigmoid."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CATEGORY = "fusion"  # bench: counts towards the fusion geomean

ROWS = 8192
K = 2048
COLS = 2048


class Model(nn.Module):
    def __init__(self, k, cols):
        super().__init__()
        self.w = nn.Parameter(torch.randn(cols, k) * 0.02)
        self.b = nn.Parameter(torch.randn(cols) * 0.02)

    def forward(self, x):
        return torch.sigmoid(torch.matmul(x, self.w.t()) + self.b)


def get_inputs():
    return [torch.randn(ROWS, K)]


def get_init_inputs():
    return [K, COLS]
