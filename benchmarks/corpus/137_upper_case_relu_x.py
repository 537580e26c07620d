"""torch.relu(X) alone on an upper-case argument."""

import torch
import torch.nn as nn

CLASS = "spelling"

BATCH_SIZE = 4096  # test: 5
DIM = 16384  # test: 37


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, X):
        return torch.relu(X)


def get_inputs():
    X = torch.randn(BATCH_SIZE, DIM)
    return [X]


def get_init_inputs():
    return []
