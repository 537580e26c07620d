"""Pointwise chain with operators only: sqrt(x ** 2 + 1) - abs(x) scaled by a float literal."""

import torch
import torch.nn as nn

CLASS = "spelling"

ROWS = 8192  # test: 5
COLS = 8192  # test: 43


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return ((x ** 2 + 1.0) ** 0.5 - x.abs()) * 3.0


def get_inputs():
    return [torch.randn(ROWS, COLS) * 10]


def get_init_inputs():
    return []
