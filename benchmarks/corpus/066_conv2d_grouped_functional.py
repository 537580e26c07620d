"""Grouped 2-D convolution through F.conv2d with weight and bias parameters."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "single"

BATCH_SIZE = 16  # test: 2
IN_CHANNELS = 64  # test: 6
OUT_CHANNELS = 128  # test: 4
GROUPS = 2  # test: 2
HEIGHT = 128  # test: 9
WIDTH = 256  # test: 10


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, groups):
        super().__init__()
        self.groups = groups
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels // groups, 3, 3) * 0.1)
        self.bias = nn.Parameter(torch.randn(out_channels))

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, stride=1, padding=1, groups=self.groups)


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, GROUPS]
