"""Matmul with both operands transposed: A.transpose(0, 1) @ B.transpose(0, 1)."""

import torch
import torch.nn as nn

CLASS = "computed"

M = 1024  # test: 13
K = 8192  # test: 37
N = 2048  # test: 17


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, A, B):
        return torch.matmul(A.transpose(0, 1), B.transpose(0, 1))


def get_inputs():
    return [torch.randn(K, M), torch.randn(N, K)]


def get_init_inputs():
    return []
