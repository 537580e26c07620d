"""Conv2d -> nn.BatchNorm2d (training mode) -> scale by a constant."""

import torch
import torch.nn as nn

CLASS = "training"

BATCH_SIZE = 16  # test: 2
IN_CHANNELS = 32  # test: 3
OUT_CHANNELS = 64  # test: 7
HEIGHT = 256  # test: 11
WIDTH = 256  # test: 10


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, scaling_factor):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size)
        self.bn = nn.BatchNorm2d(out_channels)
        self.scaling_factor = scaling_factor

    def forward(self, x):
        x = self.conv(x)
        x = self.bn(x)
        x = x * self.scaling_factor
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, 3, 2.0]
