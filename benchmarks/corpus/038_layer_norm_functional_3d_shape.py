"""F.layer_norm over the last two dims with weight and bias parameters."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "single"

BATCH_SIZE = 16  # test: 2
FEATURES = 64  # test: 3
DIM1 = 256  # test: 7
DIM2 = 256  # test: 11


class Model(nn.Module):
    def __init__(self, dim1, dim2):
        super().__init__()
        self.normalized_shape = (dim1, dim2)
        self.weight = nn.Parameter(torch.randn(dim1, dim2))
        self.bias = nn.Parameter(torch.randn(dim1, dim2))

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, eps=1e-5)


def get_inputs():
    return [torch.randn(BATCH_SIZE, FEATURES, DIM1, DIM2)]


def get_init_inputs():
    return [DIM1, DIM2]
