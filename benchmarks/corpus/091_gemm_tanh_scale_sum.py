"""Gemm -> Tanh -> Scale -> row Sum."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 8192  # test: 5
IN_FEATURES = 2048  # test: 37
OUT_FEATURES = 4096  # test: 29


class Model(nn.Module):
    def __init__(self, in_features, out_features, scale):
        super().__init__()
        self.fc = nn.Linear(in_features, out_features)
        self.scale = scale

    def forward(self, x):
        x = torch.tanh(self.fc(x))
        x = x * self.scale
        return x.sum(dim=1)


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_FEATURES)]


def get_init_inputs():
    return [IN_FEATURES, OUT_FEATURES, 0.5]
