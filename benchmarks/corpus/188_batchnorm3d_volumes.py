"""nn.BatchNorm3d on a volume batch in training mode, followed by ReLU."""

import torch
import torch.nn as nn

CLASS = "training"

BATCH_SIZE = 8  # test: 2
CHANNELS = 32  # test: 3
DEPTH = 32  # test: 5
HEIGHT = 128  # test: 7
WIDTH = 128  # test: 9


class Model(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.bn = nn.BatchNorm3d(channels)

    def forward(self, x):
        return torch.relu(self.bn(x))


def get_inputs():
    return [torch.randn(BATCH_SIZE, CHANNELS, DEPTH, HEIGHT, WIDTH) * 3]


def get_init_inputs():
    return [CHANNELS]
