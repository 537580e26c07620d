"""Probe problem: softmax over rows of 16000 fp32 elements (a 16384-wide block),
between the 8192 where one-pass softmax was measured before and the 32768 of
the vocabulary flywheel pair (benchmarks/results/h200-2026-12-01-flywheel-softmax-vocab)."""

import torch
import torch.nn as nn

ROWS = 8192  # test: 9
COLS = 16000  # test: 301


class Model(nn.Module):
    def forward(self, x):
        return torch.softmax(x, dim=-1)


def get_inputs():
    return [torch.randn(ROWS, COLS)]


def get_init_inputs():
    return []
