"""Per-channel scale and shift broadcast via unsqueeze(0).unsqueeze(-1) on (batch, channels, length)."""

import torch
import torch.nn as nn

CLASS = "computed"

BATCH = 64  # test: 3
CHANNELS = 256  # test: 5
LENGTH = 4096  # test: 37


class Model(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.gamma = nn.Parameter(torch.randn(channels))
        self.beta = nn.Parameter(torch.randn(channels))

    def forward(self, x):
        scale = self.gamma.unsqueeze(0).unsqueeze(-1)
        shift = self.beta[None, :, None]
        return torch.relu(x * scale + shift)


def get_inputs():
    return [torch.randn(BATCH, CHANNELS, LENGTH)]


def get_init_inputs():
    return [CHANNELS]
