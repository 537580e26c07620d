"""Softmax over dim 1 of a 3-D tensor, spelled x.softmax(1)."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH = 64  # test: 3
CLASSES = 1000  # test: 13
POSITIONS = 1024  # test: 7


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return x.softmax(1)


def get_inputs():
    return [torch.randn(BATCH, CLASSES, POSITIONS)]


def get_init_inputs():
    return []
