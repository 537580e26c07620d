"""Frobenius-norm normalisation of a whole tensor: x / torch.norm(x, p='fro')."""

import torch
import torch.nn as nn

CLASS = "computed"

BATCH_SIZE = 16  # test: 2
FEATURES = 64  # test: 3
DIM1 = 256  # test: 7
DIM2 = 256  # test: 11


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        norm = torch.norm(x, p="fro")
        return x / norm


def get_inputs():
    return [torch.randn(BATCH_SIZE, FEATURES, DIM1, DIM2)]


def get_init_inputs():
    return []
