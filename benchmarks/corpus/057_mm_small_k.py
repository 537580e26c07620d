"""Tall-skinny matmul with a small inner dimension via torch.mm."""

import torch
import torch.nn as nn

CLASS = "single"

M = 16384  # test: 41
N = 16384  # test: 37
K = 32  # test: 5


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, A, B):
        return torch.mm(A, B)


def get_inputs():
    return [torch.randn(M, K), torch.randn(K, N)]


def get_init_inputs():
    return []
