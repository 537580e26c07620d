"""LogSumExp over dim 1 with keepdim on large-magnitude inputs."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 4096  # test: 5
DIM = 16384  # test: 37


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.logsumexp(x, dim=1, keepdim=True)


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM) * 50]


def get_init_inputs():
    return []
