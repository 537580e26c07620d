"""Diagonal matrix times matrix: torch.diag(A) @ B."""

import torch
import torch.nn as nn

CLASS = "computed"

N = 4096  # test: 37
M = 4096  # test: 29


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, A, B):
        return torch.diag(A) @ B


def get_inputs():
    A = torch.randn(N)
    B = torch.randn(N, M)
    return [A, B]


def get_init_inputs():
    return []
