"""Product of two upper-triangular matrices, masked with torch.triu."""

import torch
import torch.nn as nn

CLASS = "computed"

N = 4096  # test: 31


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, A, B):
        return torch.triu(A @ B)


def get_inputs():
    A = torch.triu(torch.randn(N, N))
    B = torch.triu(torch.randn(N, N))
    return [A, B]


def get_init_inputs():
    return []
