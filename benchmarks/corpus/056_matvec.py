"""Matrix-vector product (M, K) @ (K, 1) via torch.matmul."""

import torch
import torch.nn as nn

CLASS = "single"

M = 2048  # test: 37
K = 131072  # test: 61


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, A, B):
        return torch.matmul(A, B)


def get_inputs():
    return [torch.randn(M, K), torch.randn(K, 1)]


def get_init_inputs():
    return []
