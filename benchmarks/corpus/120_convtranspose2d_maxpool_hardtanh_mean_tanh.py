"""ConvTranspose2d -> MaxPool2d -> Hardtanh -> spatial mean (keepdim) -> Tanh."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 16  # test: 2
IN_CHANNELS = 64  # test: 3
OUT_CHANNELS = 64  # test: 5
HEIGHT = 128  # test: 7
WIDTH = 128  # test: 9


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride, padding):
        super().__init__()
        self.conv_transpose = nn.ConvTranspose2d(in_channels, out_channels, kernel_size,
                                                 stride=stride, padding=padding)
        self.maxpool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.hardtanh = nn.Hardtanh(min_val=-1.0, max_val=1.0)

    def forward(self, x):
        x = self.conv_transpose(x)
        x = self.maxpool(x)
        x = self.hardtanh(x)
        x = torch.mean(x, dim=(2, 3), keepdim=True)
        x = torch.tanh(x)
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, 4, 2, 1]
