"""Matmul with a transposed first operand: A.T @ B."""

import torch
import torch.nn as nn

CLASS = "computed"

M = 2048  # test: 29
K = 8192  # test: 37
N = 4096  # test: 23


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, A, B):
        return torch.matmul(A.T, B)


def get_inputs():
    A = torch.randn(K, M)
    B = torch.randn(K, N)
    return [A, B]


def get_init_inputs():
    return []
