"""Matrix multiplication with upper-case operands: forward(self, A, B) -> torch.matmul(A, B)."""

import torch
import torch.nn as nn

CLASS = "spelling"

M = 4096  # test: 31
K = 2048  # test: 37
N = 4096  # test: 29


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, A, B):
        C = torch.matmul(A, B)
        return C


def get_inputs():
    A = torch.randn(M, K)
    B = torch.randn(K, N)
    return [A, B]


def get_init_inputs():
    return []
