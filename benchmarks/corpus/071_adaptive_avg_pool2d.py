"""Global average pooling to 1x1 with nn.AdaptiveAvgPool2d."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 64  # test: 2
CHANNELS = 512  # test: 7
HEIGHT = 56  # test: 9
WIDTH = 56  # test: 11


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d((1, 1))

    def forward(self, x):
        return self.pool(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return []
