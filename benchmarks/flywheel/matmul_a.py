"""Flywheel pair, first problem: an fp32 matmul (stays fp32: no plain TF32)."""

import torch
import torch.nn as nn

M, K, N = 4096, 4096, 4096


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, a, b):
        return torch.matmul(a, b)


def get_inputs():
    return [torch.randn(M, K), torch.randn(K, N)]


def get_init_inputs():
    return []
