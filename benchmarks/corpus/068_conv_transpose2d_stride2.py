"""Transposed 2-D convolution upsampling by 2 (kernel 4, stride 2, padding 1)."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 16  # test: 2
IN_CHANNELS = 64  # test: 5
OUT_CHANNELS = 32  # test: 3
HEIGHT = 128  # test: 8
WIDTH = 128  # test: 9


class Model(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv_transpose2d = nn.ConvTranspose2d(in_channels, out_channels, kernel_size=4,
                                                   stride=2, padding=1)

    def forward(self, x):
        return self.conv_transpose2d(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS]
