"""HardTanh clamp to [-1, 1] via F.hardtanh."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "single"

BATCH_SIZE = 4096  # test: 5
DIM = 16384  # test: 29


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return F.hardtanh(x, min_val=-1.0, max_val=1.0)


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM) * 3]


def get_init_inputs():
    return []
