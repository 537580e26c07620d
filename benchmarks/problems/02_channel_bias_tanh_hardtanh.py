"""Broadcast chain on an NCHW activation: + per-channel bias, tanh-GELU, hardtanh, leaky_relu, square."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CATEGORY = "fusion"  # bench: counts towards the fusion geomean

BATCH = 32
CHANNELS = 64
HEIGHT = 128
WIDTH = 128


class Model(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.bias = nn.Parameter(torch.randn(channels, 1, 1) * 0.1)

    def forward(self, x):
        x = x + self.bias
        x = F.gelu(x, approximate="tanh")
        x = F.hardtanh(x, min_val=-0.75, max_val=0.9)
        x = F.leaky_relu(x, negative_slope=0.05)
        return x ** 2 - torch.tanh(x) / 3.0


def get_inputs():
    return [torch.randn(BATCH, CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [CHANNELS]
