"""Flywheel pair, first problem: cumulative product down the rows (a scan whose
columns are contiguous). On an H200 the scan template's default config ran this
shape 1.8x slower than the best a 4-evaluation search found (benchmarks/results/h200-2026-12-01-bench,
problem 12), so a cold search has ground to cover."""

import torch
import torch.nn as nn

ROWS = 512
COLS = 32768


class Model(nn.Module):
    def forward(self, x):
        return torch.cumprod(x, dim=0)


def get_inputs():
    # near 1, so the product neither vanishes nor overflows over 512 rows
    return [1.0 + 0.01 * torch.randn(ROWS, COLS)]


def get_init_inputs():
    return []
