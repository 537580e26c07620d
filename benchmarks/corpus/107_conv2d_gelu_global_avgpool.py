"""Conv2d -> GELU -> global average pool -> squeeze to (batch, channels)."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 64  # test: 2
IN_CHANNELS = 16  # test: 3
OUT_CHANNELS = 64  # test: 7
HEIGHT = 256  # test: 10
WIDTH = 256  # test: 11


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size)

    def forward(self, x):
        x = self.conv(x)
        x = torch.nn.functional.gelu(x)
        x = torch.nn.functional.adaptive_avg_pool2d(x, 1)
        x = x.squeeze(-1).squeeze(-1)
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, 3]
