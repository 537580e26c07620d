"""Conv1d -> nn.BatchNorm1d (training mode) -> ReLU, as in a 1-D ResNet block."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "training"

BATCH_SIZE = 64  # test: 2
IN_CHANNELS = 64  # test: 3
OUT_CHANNELS = 128  # test: 5
LENGTH = 8192  # test: 37


class Model(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size=3, padding=1, bias=False)
        self.bn = nn.BatchNorm1d(out_channels)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, LENGTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS]
