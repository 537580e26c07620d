"""ConvTranspose3d -> Scale -> AvgPool3d -> BiasAdd -> Scale."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 16  # test: 2
IN_CHANNELS = 16  # test: 3
OUT_CHANNELS = 16  # test: 4
D = 16  # test: 4
H = 64  # test: 5
W = 64  # test: 5


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, scale1, scale2, bias_shape):
        super().__init__()
        self.conv_transpose = nn.ConvTranspose3d(in_channels, out_channels, kernel_size,
                                                 stride=stride, padding=padding)
        self.scale1 = nn.Parameter(torch.tensor(scale1))
        self.avg_pool = nn.AvgPool3d(kernel_size=2)
        self.bias = nn.Parameter(torch.randn(bias_shape))
        self.scale2 = nn.Parameter(torch.tensor(scale2))

    def forward(self, x):
        x = self.conv_transpose(x)
        x = x * self.scale1
        x = self.avg_pool(x)
        x = x + self.bias
        x = x * self.scale2
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, D, H, W)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, 3, 2, 1, 0.5, 1.0, (OUT_CHANNELS, 1, 1, 1)]
