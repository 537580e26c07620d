"""Argmin over a middle dim."""

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 64
DIM1 = 4096
DIM2 = 255


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.argmin(x, dim=1)


def get_inputs():
    return [torch.randn(BATCH, DIM1, DIM2)]


def get_init_inputs():
    return []