"""2-D convolution with an asymmetric 3x5 kernel, stride 2, padding (1, 2), dilation (2, 1)."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 16  # test: 2
IN_CHANNELS = 32  # test: 4
OUT_CHANNELS = 64  # test: 6
HEIGHT = 512  # test: 12
WIDTH = 256  # test: 9


class Model(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv2d = nn.Conv2d(in_channels, out_channels, kernel_size=(3, 5), stride=2,
                                padding=(1, 2), dilation=(2, 1), bias=False)

    def forward(self, x):
        return self.conv2d(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS]
