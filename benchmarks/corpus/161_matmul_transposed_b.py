"""Matmul with a transposed second operand: A @ B.T."""

import torch
import torch.nn as nn

CLASS = "computed"

M = 4096  # test: 31
K = 4096  # test: 37
N = 2048  # test: 19


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, A, B):
        return A @ B.T


def get_inputs():
    return [torch.randn(M, K), torch.randn(N, K)]


def get_init_inputs():
    return []
