"""Square matrix multiplication C = A @ B via torch.matmul."""

import torch
import torch.nn as nn

CLASS = "single"

N = 4096  # test: 37


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
        return torch.matmul(A, B)


def get_inputs():
    A = torch.randn(N, N)
    B = torch.randn(N, N)
    return [A, B]


def get_init_inputs():
    return []
