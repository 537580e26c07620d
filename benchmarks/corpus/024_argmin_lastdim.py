"""Argmin over the last dimension via the tensor method x.argmin."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH = 8192  # test: 7
DIM = 8191  # test: 43


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return x.argmin(dim=-1)


def get_inputs():
    return [torch.randn(BATCH, DIM)]


def get_init_inputs():
    return []
