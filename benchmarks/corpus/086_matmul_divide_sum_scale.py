"""Matmul with a weight parameter -> Divide -> Sum(dim=1, keepdim) -> Scaling."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 8192  # test: 7
INPUT_SIZE = 4096  # test: 37
HIDDEN_SIZE = 4096  # test: 19


class Model(nn.Module):
    def __init__(self, input_size, hidden_size, scaling_factor):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(hidden_size, input_size) * 0.02)
        self.scaling_factor = scaling_factor

    def forward(self, x):
        x = torch.matmul(x, self.weight.T)
        x = x / 2
        x = torch.sum(x, dim=1, keepdim=True)
        x = x * self.scaling_factor
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, INPUT_SIZE)]


def get_init_inputs():
    return [INPUT_SIZE, HIDDEN_SIZE, 1.5]
