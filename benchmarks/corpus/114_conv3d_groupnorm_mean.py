"""Conv3d -> GroupNorm -> mean over all non-batch dims."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 16  # test: 2
IN_CHANNELS = 3  # test: 3
OUT_CHANNELS = 24  # test: 6
NUM_GROUPS = 3  # test: 3
D = 64  # test: 8
H = 128  # test: 8
W = 128  # test: 9


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, num_groups):
        super().__init__()
        self.conv = nn.Conv3d(in_channels, out_channels, kernel_size)
        self.group_norm = nn.GroupNorm(num_groups, out_channels)

    def forward(self, x):
        x = self.conv(x)
        x = self.group_norm(x)
        x = x.mean(dim=[1, 2, 3, 4])
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, D, H, W)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, 3, NUM_GROUPS]
