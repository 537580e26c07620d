"""Swin's window_partition (view, permute, contiguous, view) followed by a scale."""

import torch
import torch.nn as nn

CLASS = "models"

BATCH = 32  # test: 2
HEIGHT = 56  # test: 14
WIDTH = 56  # test: 21
CHANNELS = 128  # test: 5
WINDOW = 7  # test: 7


def window_partition(x, window_size: int):
    B, H, W, C = x.shape
    x = x.view(B, H // window_size, window_size, W // window_size, window_size, C)
    windows = x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, window_size, window_size, C)
    return windows


class Model(nn.Module):
    def __init__(self, window_size):
        super().__init__()
        self.window_size = window_size
        self.scale = (CHANNELS // 4) ** -0.5

    def forward(self, x):
        return window_partition(x, self.window_size) * self.scale


def get_inputs():
    return [torch.randn(BATCH, HEIGHT, WIDTH, CHANNELS)]


def get_init_inputs():
    return [WINDOW]
