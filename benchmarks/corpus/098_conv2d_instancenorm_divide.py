"""Conv2d -> InstanceNorm2d -> Divide by a constant."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 16  # test: 2
IN_CHANNELS = 32  # test: 3
OUT_CHANNELS = 128  # test: 7
HEIGHT = 256  # test: 10
WIDTH = 256  # test: 9


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, divide_by):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size)
        self.instance_norm = nn.InstanceNorm2d(out_channels)
        self.divide_by = divide_by

    def forward(self, x):
        x = self.conv(x)
        x = self.instance_norm(x)
        x = x / self.divide_by
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, 3, 2.0]
