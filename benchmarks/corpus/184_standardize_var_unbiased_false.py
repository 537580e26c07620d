"""Standardise rows: (x - mean) / sqrt(var(unbiased=False) + eps)."""

import torch
import torch.nn as nn

CLASS = "computed"

BATCH_SIZE = 8192  # test: 7
DIM = 8192  # test: 37


class Model(nn.Module):
    def __init__(self, eps=1e-5):
        super().__init__()
        self.eps = eps

    def forward(self, x):
        mean = x.mean(dim=1, keepdim=True)
        var = x.var(dim=1, keepdim=True, unbiased=False)
        return (x - mean) / torch.sqrt(var + self.eps)


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM) * 2 - 1]


def get_init_inputs():
    return []
