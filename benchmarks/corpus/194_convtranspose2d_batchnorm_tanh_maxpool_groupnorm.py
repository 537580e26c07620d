"""ConvTranspose2d -> nn.BatchNorm2d (training mode) -> Tanh -> MaxPool2d -> GroupNorm."""

import torch
import torch.nn as nn

CLASS = "training"

BATCH_SIZE = 16  # test: 2
IN_CHANNELS = 64  # test: 3
OUT_CHANNELS = 64  # test: 8
NUM_GROUPS = 4  # test: 4
HEIGHT = 128  # test: 7
WIDTH = 128  # test: 8


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, num_groups):
        super().__init__()
        self.conv_transpose = nn.ConvTranspose2d(in_channels, out_channels, kernel_size,
                                                 stride=stride, padding=padding)
        self.batch_norm = nn.BatchNorm2d(out_channels)
        self.tanh = nn.Tanh()
        self.max_pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.group_norm = nn.GroupNorm(num_groups=num_groups, num_channels=out_channels)

    def forward(self, x):
        x = self.conv_transpose(x)
        x = self.batch_norm(x)
        x = self.tanh(x)
        x = self.max_pool(x)
        x = self.group_norm(x)
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, 4, 2, 1, NUM_GROUPS]
