"""Rectangular (M, K) @ (K, N) matrix multiplication written with the @ operator."""

import torch
import torch.nn as nn

CLASS = "single"

M = 2048  # test: 29
K = 8192  # test: 37
N = 4096  # test: 23


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, a, b):
        return a @ b


def get_inputs():
    return [torch.randn(M, K), torch.randn(K, N)]


def get_init_inputs():
    return []
