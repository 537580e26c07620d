"""Conv2d -> inference BatchNorm (F.batch_norm, training=False) -> ReLU."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "chain"

BATCH_SIZE = 16  # test: 2
IN_CHANNELS = 64  # test: 3
OUT_CHANNELS = 128  # test: 5
HEIGHT = 256  # test: 9
WIDTH = 256  # test: 9


class Model(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False)
        self.register_buffer("running_mean", torch.randn(out_channels) * 0.1)
        self.register_buffer("running_var", torch.rand(out_channels) + 0.5)
        self.weight = nn.Parameter(torch.ones(out_channels))
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x):
        x = self.conv(x)
        x = F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                         training=False, momentum=0.1, eps=1e-5)
        return F.relu(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS]
