"""ReLU held as an nn.ReLU submodule."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 4096  # test: 7
DIM = 16393  # test: 61


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM)]


def get_init_inputs():
    return []
