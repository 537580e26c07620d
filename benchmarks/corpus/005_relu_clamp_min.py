"""ReLU spelled as x.clamp(min=0) on a 3-D tensor."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH = 64  # test: 3
ROWS = 1024  # test: 5
COLS = 1000  # test: 17


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return x.clamp(min=0)


def get_inputs():
    return [torch.randn(BATCH, ROWS, COLS) * 10]


def get_init_inputs():
    return []
