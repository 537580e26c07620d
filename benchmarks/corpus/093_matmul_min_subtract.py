"""Linear -> elementwise min with a constant -> subtract the constant."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 4096  # test: 5
IN_FEATURES = 4096  # test: 37
OUT_FEATURES = 4096  # test: 23


class Model(nn.Module):
    def __init__(self, in_features, out_features, constant):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self.constant = nn.Parameter(torch.tensor(constant))

    def forward(self, x):
        x = self.linear(x)
        x = torch.min(x, self.constant)
        x = x - self.constant
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_FEATURES)]


def get_init_inputs():
    return [IN_FEATURES, OUT_FEATURES, 0.25]
