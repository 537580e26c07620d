"""Conv3d -> Divide -> MaxPool3d -> global avg pool -> BiasAdd -> Sum over channels."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 16  # test: 2
IN_CHANNELS = 8  # test: 3
OUT_CHANNELS = 32  # test: 5
DEPTH = 32  # test: 8
HEIGHT = 128  # test: 9
WIDTH = 128  # test: 9


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, divisor, bias_shape):
        super().__init__()
        self.conv = nn.Conv3d(in_channels, out_channels, kernel_size)
        self.divisor = divisor
        self.max_pool = nn.MaxPool3d(2)
        self.global_avg_pool = nn.AdaptiveAvgPool3d((1, 1, 1))
        self.bias = nn.Parameter(torch.randn(bias_shape))

    def forward(self, x):
        x = self.conv(x)
        x = x / self.divisor
        x = self.max_pool(x)
        x = self.global_avg_pool(x)
        x = x + self.bias
        return torch.sum(x, dim=1)


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, DEPTH, HEIGHT, WIDTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, 3, 2.0, (OUT_CHANNELS, 1, 1, 1)]
