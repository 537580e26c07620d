"""Gemm -> Swish -> Divide -> Clamp -> Tanh -> Clamp."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 2048  # test: 7
IN_FEATURES = 8192  # test: 37
OUT_FEATURES = 8192  # test: 17


class Model(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.gemm = nn.Linear(in_features, out_features, bias=bias)

    def forward(self, x):
        x = self.gemm(x)
        x = x * torch.sigmoid(x)
        x = x / 2.0
        x = torch.clamp(x, min=-1.0, max=1.0)
        x = torch.tanh(x)
        x = torch.clamp(x, min=-1.0, max=1.0)
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_FEATURES)]


def get_init_inputs():
    return [IN_FEATURES, OUT_FEATURES]
