"""x.contiguous() -> x * sigmoid(x) (swish) using torch.mul."""

import torch
import torch.nn as nn

CLASS = "spelling"

BATCH_SIZE = 16  # test: 2
CHANNELS = 64  # test: 5
HEIGHT = 256  # test: 9
WIDTH = 256  # test: 7


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        x = x.contiguous()
        return torch.mul(x, torch.sigmoid(x))


def get_inputs():
    return [torch.randn(BATCH_SIZE, CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return []
