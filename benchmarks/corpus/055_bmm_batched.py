"""Batched matrix multiplication via torch.bmm."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 128  # test: 3
M = 512  # test: 13
K = 1024  # test: 17
N = 2048  # test: 11


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, A, B):
        return torch.bmm(A, B)


def get_inputs():
    return [torch.randn(BATCH_SIZE, M, K), torch.randn(BATCH_SIZE, K, N)]


def get_init_inputs():
    return []
