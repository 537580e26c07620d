"""Ultralytics' Conv: Conv2d without bias, BatchNorm2d (eval), SiLU; padding from autopad."""

import torch
import torch.nn as nn

CLASS = "models"

BATCH = 16  # test: 2
C1 = 64  # test: 4
C2 = 128  # test: 6
SIZE = 80  # test: 7


def autopad(k, p=None, d=1):
    if d > 1:
        k = d * (k - 1) + 1 if isinstance(k, int) else [d * (x - 1) + 1 for x in k]
    if p is None:
        p = k // 2 if isinstance(k, int) else [x // 2 for x in k]
    return p


class Model(nn.Module):
    default_act = nn.SiLU()

    def __init__(self, c1, c2, k=3, s=1, p=None, g=1, d=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, autopad(k, p, d), groups=g, dilation=d, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.act = self.default_act if act is True else act if isinstance(act, nn.Module) else nn.Identity()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


def get_inputs():
    return [torch.randn(BATCH, C1, SIZE, SIZE)]


def get_init_inputs():
    return [C1, C2]
