"""timm's SEModule: global mean, 1x1 reduce, ReLU, 1x1 expand, sigmoid gate on the input."""

import torch
from torch import nn

CLASS = "models"

BATCH = 32  # test: 2
CHANNELS = 256  # test: 12
SIZE = 28  # test: 5


class Model(nn.Module):
    def __init__(self, channels, rd_ratio=1.0 / 16):
        super().__init__()
        rd_channels = max(int(channels * rd_ratio), 1)
        self.fc1 = nn.Conv2d(channels, rd_channels, kernel_size=1, bias=True)
        self.bn = nn.Identity()
        self.act = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(rd_channels, channels, kernel_size=1, bias=True)
        self.gate = nn.Sigmoid()

    def forward(self, x):
        x_se = x.mean((2, 3), keepdim=True)
        x_se = self.fc1(x_se)
        x_se = self.act(self.bn(x_se))
        x_se = self.fc2(x_se)
        return x * self.gate(x_se)


def get_inputs():
    return [torch.randn(BATCH, CHANNELS, SIZE, SIZE)]


def get_init_inputs():
    return [CHANNELS]
