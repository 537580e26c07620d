"""Mean over the last dim of relu(x) * 2: prologue fused into the reduction."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CATEGORY = "fusion"  # bench: counts towards the fusion geomean

ROWS = 16384
COLS = 4095


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.mean(torch.relu(x) * 2.0, dim=-1)


def get_inputs():
    return [torch.randn(ROWS, COLS)]


def get_init_inputs():
    return []
