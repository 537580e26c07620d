"""Row sums over the last dimension with keepdim=True, spelled x.sum."""

import torch
import torch.nn as nn

CLASS = "single"

ROWS = 8192  # test: 7
COLS = 8192  # test: 61


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return x.sum(dim=-1, keepdim=True)


def get_inputs():
    return [torch.randn(ROWS, COLS)]


def get_init_inputs():
    return []
