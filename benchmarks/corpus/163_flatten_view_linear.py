"""Flatten a feature map with x.view(batch, -1) -> Linear classifier."""

import torch
import torch.nn as nn

CLASS = "computed"

BATCH_SIZE = 512  # test: 3
CHANNELS = 256  # test: 4
HEIGHT = 14  # test: 5
WIDTH = 14  # test: 3
NUM_CLASSES = 1000  # test: 7


class Model(nn.Module):
    def __init__(self, in_features, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_features, num_classes)

    def forward(self, x):
        x = x.view(x.size(0), -1)
        return self.fc(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [CHANNELS * HEIGHT * WIDTH, NUM_CLASSES]
