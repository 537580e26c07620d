"""ReLU on an image batch, spelled as the tensor method x.relu()."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 16  # test: 2
CHANNELS = 64  # test: 3
HEIGHT = 256  # test: 7
WIDTH = 256  # test: 9


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return x.relu()


def get_inputs():
    return [torch.randn(BATCH_SIZE, CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return []
