"""Gemm -> max over dim 1 (keepdim) -> subtract its mean -> GELU."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 2048  # test: 7
IN_FEATURES = 8192  # test: 37
OUT_FEATURES = 8192  # test: 19


class Model(nn.Module):
    def __init__(self, in_features, out_features, max_dim):
        super().__init__()
        self.gemm = nn.Linear(in_features, out_features)
        self.max_dim = max_dim

    def forward(self, x):
        x = self.gemm(x)
        x = torch.max(x, dim=self.max_dim, keepdim=True).values
        x = x - x.mean(dim=0, keepdim=True)
        x = torch.nn.functional.gelu(x)
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_FEATURES)]


def get_init_inputs():
    return [IN_FEATURES, OUT_FEATURES, 1]
