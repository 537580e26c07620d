"""Flywheel pair, second problem: the same op class at another shape (stays fp32: no plain TF32)."""

import torch
import torch.nn as nn

M, K, N = 6144, 3072, 2048


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, a, b):
        return torch.matmul(a, b)


def get_inputs():
    return [torch.randn(M, K), torch.randn(K, N)]


def get_init_inputs():
    return []
