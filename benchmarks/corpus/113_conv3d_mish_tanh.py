"""Conv3d -> Mish -> Tanh."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 16  # test: 2
IN_CHANNELS = 16  # test: 3
OUT_CHANNELS = 32  # test: 4
D = 32  # test: 7
H = 128  # test: 8
W = 128  # test: 9


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        super().__init__()
        self.conv = nn.Conv3d(in_channels, out_channels, kernel_size, stride=stride, padding=padding)

    def forward(self, x):
        x = self.conv(x)
        x = torch.nn.functional.mish(x)
        x = torch.tanh(x)
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, D, H, W)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, 3]
