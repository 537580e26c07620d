"""Flywheel pair, second problem: the same scan (cumulative product down the
rows) at another shape: fewer rows, more contiguous columns."""

import torch
import torch.nn as nn

ROWS = 384
COLS = 49152


class Model(nn.Module):
    def forward(self, x):
        return torch.cumprod(x, dim=0)


def get_inputs():
    # near 1, so the product neither vanishes nor overflows over 384 rows
    return [1.0 + 0.01 * torch.randn(ROWS, COLS)]


def get_init_inputs():
    return []
