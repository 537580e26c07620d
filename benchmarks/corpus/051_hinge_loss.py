"""Hinge loss mean(clamp(1 - pred * target, min=0)) with +-1 targets."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 32768  # test: 7
DIM = 4096  # test: 37


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, predictions, targets):
        return torch.mean(torch.clamp(1 - predictions * targets, min=0))


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM), torch.randint(0, 2, (BATCH_SIZE, DIM)).float() * 2 - 1]


def get_init_inputs():
    return []
