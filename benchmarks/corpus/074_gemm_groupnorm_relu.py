"""Gemm -> GroupNorm -> ReLU."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 4096  # test: 7
IN_FEATURES = 4096  # test: 37
OUT_FEATURES = 4096  # test: 24
NUM_GROUPS = 8  # test: 8


class Model(nn.Module):
    def __init__(self, in_features, out_features, num_groups):
        super().__init__()
        self.gemm = nn.Linear(in_features, out_features)
        self.group_norm = nn.GroupNorm(num_groups, out_features)

    def forward(self, x):
        x = self.gemm(x)
        x = self.group_norm(x)
        x = torch.relu(x)
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_FEATURES)]


def get_init_inputs():
    return [IN_FEATURES, OUT_FEATURES, NUM_GROUPS]
