"""Inclusive cumulative sum along rows of 32768 x 32768 fp32 (4.3 GB)."""

import torch
import torch.nn as nn

batch_size = 32768  # test: 3
length = 32768  # test: 41
scan_dim = 1


class Model(nn.Module):
    def __init__(self, dim):
        super(Model, self).__init__()
        self.dim = dim

    def forward(self, x):
        return torch.cumsum(x, dim=self.dim)


def get_inputs():
    return [torch.randn(batch_size, length)]


def get_init_inputs():
    return [scan_dim]
