"""1-D convolution with stride 2, padding 2 and dilation 2."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 64  # test: 2
IN_CHANNELS = 64  # test: 3
OUT_CHANNELS = 128  # test: 5
LENGTH = 65536  # test: 37
KERNEL_SIZE = 3  # test: 3


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=2, padding=2, dilation=2):
        super().__init__()
        self.conv1d = nn.Conv1d(in_channels, out_channels, kernel_size, stride=stride,
                                padding=padding, dilation=dilation, bias=False)

    def forward(self, x):
        return self.conv1d(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, LENGTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, KERNEL_SIZE]
