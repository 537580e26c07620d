"""Reverse cumulative sum along dim 1 via torch.flip -> cumsum -> flip."""

import torch
import torch.nn as nn

CLASS = "computed"

BATCH_SIZE = 32768  # test: 5
INPUT_SIZE = 4000  # test: 37


class Model(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return torch.cumsum(x.flip(self.dim), dim=self.dim).flip(self.dim)


def get_inputs():
    return [torch.randn(BATCH_SIZE, INPUT_SIZE)]


def get_init_inputs():
    return [1]
