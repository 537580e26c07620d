"""Strided conv without bias, inference batch norm, SiLU and a residual-free add of a constant."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CATEGORY = "fusion"  # bench: counts towards the fusion geomean

BATCH = 32
IN_CHANNELS = 32  # test: 3
OUT_CHANNELS = 64  # test: 5
HEIGHT = 256  # test: 13
WIDTH = 256  # test: 11


class Model(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, stride=2, padding=1, bias=False)
        self.bn_weight = nn.Parameter(1.0 + 0.1 * torch.randn(out_channels))
        self.bn_bias = nn.Parameter(0.1 * torch.randn(out_channels))
        self.register_buffer("bn_mean", 0.1 * torch.randn(out_channels))
        self.register_buffer("bn_var", 1.0 + 0.1 * torch.rand(out_channels))

    def forward(self, x):
        y = self.conv(x)
        y = F.batch_norm(y, self.bn_mean, self.bn_var, self.bn_weight, self.bn_bias, False, 0.1, 1e-5)
        return F.silu(y) + 0.1


def get_inputs():
    return [torch.randn(BATCH, IN_CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [IN_CHANNELS, OUT_CHANNELS]
