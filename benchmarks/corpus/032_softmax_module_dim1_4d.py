"""Channel softmax of a 4-D tensor with an nn.Softmax(dim=1) submodule."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 16  # test: 2
CHANNELS = 64  # test: 5
HEIGHT = 256  # test: 9
WIDTH = 256  # test: 7


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        return self.softmax(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return []
