"""Huber loss with delta=0.5 held as an nn.HuberLoss submodule."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 32768  # test: 7
DIM = 4096  # test: 31


class Model(nn.Module):
    def __init__(self, delta: float = 0.5):
        super().__init__()
        self.criterion = nn.HuberLoss(delta=delta)

    def forward(self, predictions, targets):
        return self.criterion(predictions, targets)


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM) * 2, torch.randn(BATCH_SIZE, DIM)]


def get_init_inputs():
    return [0.5]
