"""ConvTranspose3d -> Scale -> nn.BatchNorm3d (training mode) -> global average pool."""

import torch
import torch.nn as nn

CLASS = "training"

BATCH_SIZE = 16  # test: 2
IN_CHANNELS = 32  # test: 4
OUT_CHANNELS = 16  # test: 3
D = 16  # test: 5
H = 64  # test: 6
W = 64  # test: 5


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, scale_factor, eps=1e-5, momentum=0.1):
        super().__init__()
        self.conv_transpose = nn.ConvTranspose3d(in_channels, out_channels, kernel_size)
        self.scale_factor = scale_factor
        self.batch_norm = nn.BatchNorm3d(out_channels, eps=eps, momentum=momentum)
        self.global_avg_pool = nn.AdaptiveAvgPool3d((1, 1, 1))

    def forward(self, x):
        x = self.conv_transpose(x)
        x = x * self.scale_factor
        x = self.batch_norm(x)
        x = self.global_avg_pool(x)
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, D, H, W)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, 3, 2.0]
