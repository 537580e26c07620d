"""Matmul -> AvgPool1d over features -> GELU -> Scale -> Max over dim 1."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 2048  # test: 5
IN_FEATURES = 8192  # test: 37
OUT_FEATURES = 8192  # test: 23
POOL_KERNEL_SIZE = 4  # test: 4


class Model(nn.Module):
    def __init__(self, in_features, out_features, pool_kernel_size, scale_factor):
        super().__init__()
        self.matmul = nn.Linear(in_features, out_features)
        self.avg_pool = nn.AvgPool1d(kernel_size=pool_kernel_size)
        self.scale_factor = scale_factor

    def forward(self, x):
        x = self.matmul(x)
        x = self.avg_pool(x.unsqueeze(1)).squeeze(1)
        x = torch.nn.functional.gelu(x)
        x = x * self.scale_factor
        x = torch.max(x, dim=1).values
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_FEATURES)]


def get_init_inputs():
    return [IN_FEATURES, OUT_FEATURES, POOL_KERNEL_SIZE, 2.0]
