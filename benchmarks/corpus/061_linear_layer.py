"""A single nn.Linear layer (Gemm with bias)."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 2048  # test: 7
IN_FEATURES = 8192  # test: 37
OUT_FEATURES = 8192  # test: 29


class Model(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)

    def forward(self, x):
        return self.linear(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_FEATURES)]


def get_init_inputs():
    return [IN_FEATURES, OUT_FEATURES]
