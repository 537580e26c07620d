"""Conv1d over a sequence -> ReLU -> MaxPool1d."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "chain"

BATCH_SIZE = 64  # test: 2
IN_CHANNELS = 128  # test: 3
OUT_CHANNELS = 256  # test: 5
LENGTH = 16384  # test: 41


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size):
        super().__init__()
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, padding=kernel_size // 2)
        self.pool = nn.MaxPool1d(kernel_size=2)

    def forward(self, x):
        x = self.conv(x)
        x = F.relu(x)
        return self.pool(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, LENGTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, 5]
