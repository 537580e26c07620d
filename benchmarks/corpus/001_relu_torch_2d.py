"""ReLU on a 2-D activation, spelled torch.relu."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH = 4096  # test: 5
DIM = 16384  # test: 37


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.relu(x)


def get_inputs():
    return [torch.randn(BATCH, DIM)]


def get_init_inputs():
    return []
