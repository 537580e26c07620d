"""Matmul -> Scale -> ResidualAdd -> Clamp -> LogSumExp -> Mish gate."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 2048  # test: 5
INPUT_SIZE = 8192  # test: 37
HIDDEN_SIZE = 8192  # test: 23


class Model(nn.Module):
    def __init__(self, input_size, hidden_size, scale_factor, clamp_min, clamp_max):
        super().__init__()
        self.matmul = nn.Linear(input_size, hidden_size)
        self.scale_factor = scale_factor
        self.clamp_min = clamp_min
        self.clamp_max = clamp_max

    def forward(self, x):
        x = self.matmul(x)
        x = x * self.scale_factor
        x = x + x
        x = torch.clamp(x, self.clamp_min, self.clamp_max)
        x = torch.logsumexp(x, dim=1, keepdim=True)
        x = x * torch.nn.functional.mish(x)
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, INPUT_SIZE)]


def get_init_inputs():
    return [INPUT_SIZE, HIDDEN_SIZE, 2.0, -10.0, 10.0]
