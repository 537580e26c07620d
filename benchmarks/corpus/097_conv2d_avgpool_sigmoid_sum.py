"""Conv2d -> AvgPool2d -> Sigmoid -> Sum over all but batch."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 16  # test: 2
IN_CHANNELS = 8  # test: 3
OUT_CHANNELS = 64  # test: 5
HEIGHT = 384  # test: 11
WIDTH = 384  # test: 12
POOL_KERNEL_SIZE = 4  # test: 4


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, pool_kernel_size):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size)
        self.avg_pool = nn.AvgPool2d(pool_kernel_size)

    def forward(self, x):
        x = self.conv(x)
        x = self.avg_pool(x)
        x = torch.sigmoid(x)
        x = torch.sum(x, dim=[1, 2, 3])
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, 3, POOL_KERNEL_SIZE]
