"""3-D convolution with a 3x3x3 kernel, padding 1 and stride 1."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 8  # test: 2
IN_CHANNELS = 16  # test: 3
OUT_CHANNELS = 32  # test: 4
DEPTH = 64  # test: 8
HEIGHT = 128  # test: 9
WIDTH = 128  # test: 8


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size):
        super().__init__()
        self.conv3d = nn.Conv3d(in_channels, out_channels, kernel_size, padding=1)

    def forward(self, x):
        return self.conv3d(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, DEPTH, HEIGHT, WIDTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, 3]
