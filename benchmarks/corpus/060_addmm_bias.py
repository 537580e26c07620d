"""Fused bias + matmul via torch.addmm(bias, a, b)."""

import torch
import torch.nn as nn

CLASS = "single"

M = 4096  # test: 31
K = 4096  # test: 37
N = 4096  # test: 17


class Model(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.bias = nn.Parameter(torch.randn(n))

    def forward(self, a, b):
        return torch.addmm(self.bias, a, b)


def get_inputs():
    return [torch.randn(M, K), torch.randn(K, N)]


def get_init_inputs():
    return [N]
