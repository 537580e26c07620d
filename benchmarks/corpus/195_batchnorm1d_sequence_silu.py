"""nn.BatchNorm1d on a (batch, channels, length) sequence in training mode -> SiLU."""

import torch
import torch.nn as nn

CLASS = "training"

BATCH_SIZE = 64  # test: 3
CHANNELS = 256  # test: 5
LENGTH = 4096  # test: 37


class Model(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.norm = nn.BatchNorm1d(channels)
        self.act = nn.SiLU()

    def forward(self, x):
        return self.act(self.norm(x))


def get_inputs():
    return [torch.randn(BATCH_SIZE, CHANNELS, LENGTH)]


def get_init_inputs():
    return [CHANNELS]
