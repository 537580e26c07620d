"""ELU written out with torch.where and a comparison, module constant ALPHA."""

import torch
import torch.nn as nn

CLASS = "models"

BATCH = 4096  # test: 7
DIM = 16384  # test: 33

ALPHA = 1.0


class Model(nn.Module):
    def forward(self, X):
        return torch.where(X > 0, X, ALPHA * (torch.exp(X) - 1))


def get_inputs():
    return [torch.randn(BATCH, DIM) * 4]


def get_init_inputs():
    return []
