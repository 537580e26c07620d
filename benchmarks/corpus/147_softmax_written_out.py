"""Numerically stable softmax written out: exp(x - max) / sum."""

import torch
import torch.nn as nn

CLASS = "spelling"

BATCH_SIZE = 4096  # test: 7
DIM = 16384  # test: 37


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        x_max = torch.max(x, dim=-1, keepdim=True)[0]
        e = torch.exp(x - x_max)
        return e / torch.sum(e, dim=-1, keepdim=True)


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM) * 20]


def get_init_inputs():
    return []
