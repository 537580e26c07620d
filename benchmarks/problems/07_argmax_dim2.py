"""Argmax over the last dim (int64 indices out)."""

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 128
DIM1 = 1024
DIM2 = 1023


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.argmax(x, dim=2)


def get_inputs():
    return [torch.randn(BATCH, DIM1, DIM2)]


def get_init_inputs():
    return []