"""Subtract a row mean broadcast with unsqueeze(-1).expand_as(x), then square."""

import torch
import torch.nn as nn

CLASS = "computed"

BATCH_SIZE = 8192  # test: 7
DIM = 8192  # test: 37


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        mean = x.mean(dim=1).unsqueeze(-1).expand_as(x)
        return (x - mean) ** 2


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM) * 3 + 1]


def get_init_inputs():
    return []
