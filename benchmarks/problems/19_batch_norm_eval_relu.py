"""Inference batch norm from running statistics, then relu (one pointwise pass)."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CATEGORY = "fusion"  # bench: counts towards the fusion geomean

BATCH = 32
CHANNELS = 64
HEIGHT = 128
WIDTH = 128


class Model(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.weight = nn.Parameter(1.0 + 0.1 * torch.randn(num_features))
        self.bias = nn.Parameter(0.1 * torch.randn(num_features))
        self.register_buffer("running_mean", 0.1 * torch.randn(num_features))
        self.register_buffer("running_var", 1.0 + 0.1 * torch.rand(num_features))

    def forward(self, x):
        y = F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                         training=False, eps=1e-5)
        return torch.relu(y)


def get_inputs():
    return [torch.randn(BATCH, CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [CHANNELS]
