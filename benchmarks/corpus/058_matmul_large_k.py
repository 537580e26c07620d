"""Matmul with a very large reduction dimension K."""

import torch
import torch.nn as nn

CLASS = "single"

M = 256  # test: 13
N = 256  # test: 11
K = 524288  # test: 301


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, A, B):
        return torch.matmul(A, B)


def get_inputs():
    return [torch.randn(M, K), torch.randn(K, N)]


def get_init_inputs():
    return []
