"""ResNet stem: 7x7/2 conv -> eval BatchNorm -> ReLU -> 3x3/2 max pool."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "chain"

BATCH_SIZE = 256  # test: 2
IN_CHANNELS = 3  # test: 3
OUT_CHANNELS = 64  # test: 5
IMAGE_SIZE = 224  # test: 12


class Model(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 7, stride=2, padding=3, bias=False)
        self.register_buffer("bn_mean", torch.randn(out_channels) * 0.1)
        self.register_buffer("bn_var", torch.rand(out_channels) + 0.5)

    def forward(self, x):
        x = self.conv1(x)
        x = F.batch_norm(x, self.bn_mean, self.bn_var, training=False)
        x = F.relu(x, inplace=True)
        return F.max_pool2d(x, kernel_size=3, stride=2, padding=1)


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, IMAGE_SIZE, IMAGE_SIZE)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS]
