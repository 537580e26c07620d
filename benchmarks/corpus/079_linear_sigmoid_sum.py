"""Linear -> Sigmoid -> Sum over features (keepdim)."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 4096  # test: 7
INPUT_SIZE = 4096  # test: 37
HIDDEN_SIZE = 8192  # test: 29


class Model(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.linear = nn.Linear(input_size, hidden_size)

    def forward(self, x):
        x = self.linear(x)
        x = torch.sigmoid(x)
        x = torch.sum(x, dim=1, keepdim=True)
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, INPUT_SIZE)]


def get_init_inputs():
    return [INPUT_SIZE, HIDDEN_SIZE]
