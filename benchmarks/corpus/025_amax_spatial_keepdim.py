"""Per-channel absolute maximum over the spatial dims with torch.amax and keepdim."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 16  # test: 2
CHANNELS = 64  # test: 5
HEIGHT = 256  # test: 9
WIDTH = 256  # test: 11


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.amax(x.abs(), dim=(2, 3), keepdim=True)


def get_inputs():
    return [torch.randn(BATCH_SIZE, CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return []
