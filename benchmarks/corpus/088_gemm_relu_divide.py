"""Gemm -> ReLU -> Divide by a constant."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 4096  # test: 7
IN_FEATURES = 8192  # test: 37
OUT_FEATURES = 8192  # test: 13


class Model(nn.Module):
    def __init__(self, in_features, out_features, divisor):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self.divisor = divisor

    def forward(self, x):
        x = self.linear(x)
        x = torch.relu(x)
        x = x / self.divisor
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_FEATURES)]


def get_init_inputs():
    return [IN_FEATURES, OUT_FEATURES, 2.0]
