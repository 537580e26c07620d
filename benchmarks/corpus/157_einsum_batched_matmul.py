"""Batched matmul spelled with torch.einsum('bik,bkj->bij')."""

import torch
import torch.nn as nn

CLASS = "spelling"

BATCH = 64  # test: 3
M = 1024  # test: 11
K = 512  # test: 13
N = 1024  # test: 7


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, a, b):
        return torch.einsum("bik,bkj->bij", a, b)


def get_inputs():
    return [torch.randn(BATCH, M, K), torch.randn(BATCH, K, N)]


def get_init_inputs():
    return []
