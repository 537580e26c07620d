"""LeakyReLU with negative slope 0.2 held as an nn.LeakyReLU submodule."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 16  # test: 2
CHANNELS = 64  # test: 5
HEIGHT = 256  # test: 9
WIDTH = 256  # test: 7


class Model(nn.Module):
    def __init__(self, negative_slope: float = 0.2):
        super().__init__()
        self.act = nn.LeakyReLU(negative_slope=negative_slope)

    def forward(self, x):
        return self.act(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [0.2]
