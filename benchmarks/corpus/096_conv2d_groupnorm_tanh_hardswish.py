"""Conv2d -> GroupNorm -> Tanh -> HardSwish -> residual add."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 16  # test: 2
IN_CHANNELS = 32  # test: 3
OUT_CHANNELS = 64  # test: 8
NUM_GROUPS = 4  # test: 4
HEIGHT = 256  # test: 9
WIDTH = 256  # test: 10


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, groups, eps=1e-5):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size)
        self.group_norm = nn.GroupNorm(groups, out_channels, eps=eps)
        self.tanh = nn.Tanh()
        self.hard_swish = nn.Hardswish()

    def forward(self, x):
        x_conv = self.conv(x)
        x_norm = self.group_norm(x_conv)
        x_tanh = self.tanh(x_norm)
        x_hard_swish = self.hard_swish(x_tanh)
        return x_conv + x_hard_swish


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, 3, NUM_GROUPS]
