"""Depthwise 3x3 convolution (groups = channels) with padding 1."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 16  # test: 2
CHANNELS = 128  # test: 5
HEIGHT = 256  # test: 11
WIDTH = 256  # test: 9
KERNEL_SIZE = 3  # test: 3


class Model(nn.Module):
    def __init__(self, channels, kernel_size):
        super().__init__()
        self.dw = nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2,
                            groups=channels, bias=False)

    def forward(self, x):
        return self.dw(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [CHANNELS, KERNEL_SIZE]
