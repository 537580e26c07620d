"""torch.clip to [-3, 3] then Tensor.clamp_min(0.5) spelled as methods and functions."""

import torch
import torch.nn as nn

CLASS = "spelling"

BATCH = 16  # test: 2
CHANNELS = 128  # test: 5
LENGTH = 32768  # test: 41


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        x = torch.clip(x, -3.0, 3.0)
        return x.clamp_min(0.5) - 0.5


def get_inputs():
    return [torch.randn(BATCH, CHANNELS, LENGTH) * 4]


def get_init_inputs():
    return []
