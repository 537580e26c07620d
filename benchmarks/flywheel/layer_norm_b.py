"""Flywheel pair, second problem: the same op class at another shape."""

import torch
import torch.nn as nn

ROWS = 32768
FEATURES = 3072


class Model(nn.Module):
    def __init__(self, features):
        super().__init__()
        self.norm = nn.LayerNorm(features)

    def forward(self, x):
        return self.norm(x)


def get_inputs():
    return [torch.randn(ROWS, FEATURES)]


def get_init_inputs():
    return [FEATURES]
