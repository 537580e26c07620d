"""HardSwish activation as an nn.Hardswish submodule on a 4-D tensor."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 32  # test: 2
CHANNELS = 96  # test: 3
HEIGHT = 112  # test: 11
WIDTH = 112  # test: 13


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.hardswish = nn.Hardswish()

    def forward(self, x):
        return self.hardswish(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, CHANNELS, HEIGHT, WIDTH) * 4]


def get_init_inputs():
    return []
