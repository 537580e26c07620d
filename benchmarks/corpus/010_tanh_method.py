"""Hyperbolic tangent via the tensor method x.tanh()."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH = 8192  # test: 5
DIM = 8191  # test: 41


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return x.tanh()


def get_inputs():
    return [torch.randn(BATCH, DIM) * 5]


def get_init_inputs():
    return []
