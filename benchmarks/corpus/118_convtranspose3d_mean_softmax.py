"""ConvTranspose3d -> mean over depth (keepdim) -> Softmax over channels."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 16  # test: 2
IN_CHANNELS = 32  # test: 4
OUT_CHANNELS = 16  # test: 3
D = 16  # test: 5
H = 64  # test: 6
W = 64  # test: 7


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride, padding):
        super().__init__()
        self.conv_transpose = nn.ConvTranspose3d(in_channels, out_channels, kernel_size,
                                                 stride=stride, padding=padding)

    def forward(self, x):
        x = self.conv_transpose(x)
        x = x.mean(dim=2, keepdim=True)
        x = torch.softmax(x, dim=1)
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, D, H, W)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS, 3, 2, 1]
