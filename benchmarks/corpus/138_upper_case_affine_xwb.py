"""Affine map X @ W + b with upper-case X, W and lower-case b arguments."""

import torch
import torch.nn as nn

CLASS = "spelling"

BATCH_SIZE = 4096  # test: 7
IN_FEATURES = 4096  # test: 37
OUT_FEATURES = 2048  # test: 19


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, X, W, b):
        return X @ W + b


def get_inputs():
    X = torch.randn(BATCH_SIZE, IN_FEATURES)
    W = torch.randn(IN_FEATURES, OUT_FEATURES) * 0.02
    b = torch.randn(OUT_FEATURES)
    return [X, W, b]


def get_init_inputs():
    return []
