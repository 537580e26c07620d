"""2x2 average pooling with stride 2 via F.avg_pool2d."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "single"

BATCH_SIZE = 16  # test: 2
CHANNELS = 64  # test: 3
HEIGHT = 256  # test: 10
WIDTH = 256  # test: 11


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return F.avg_pool2d(x, kernel_size=2, stride=2)


def get_inputs():
    return [torch.randn(BATCH_SIZE, CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return []
