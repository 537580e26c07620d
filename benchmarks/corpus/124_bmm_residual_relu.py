"""Batched matmul -> residual add of the input -> ReLU."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH = 64  # test: 3
SEQ = 1024  # test: 11
DIM = 1024  # test: 13


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x, w):
        y = torch.bmm(x, w)
        y = y + x
        return torch.relu(y)


def get_inputs():
    return [torch.randn(BATCH, SEQ, DIM), torch.randn(BATCH, DIM, DIM) / 32]


def get_init_inputs():
    return []
