"""Product of two lower-triangular matrices, masked with torch.tril."""

import torch
import torch.nn as nn

CLASS = "computed"

N = 4096  # test: 37


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, A, B):
        return torch.tril(torch.matmul(A, B))


def get_inputs():
    A = torch.tril(torch.randn(N, N))
    B = torch.tril(torch.randn(N, N))
    return [A, B]


def get_init_inputs():
    return []
