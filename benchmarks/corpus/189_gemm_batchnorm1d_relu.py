"""Gemm -> nn.BatchNorm1d (training mode) -> ReLU."""

import torch
import torch.nn as nn

CLASS = "training"

BATCH_SIZE = 4096  # test: 7
IN_FEATURES = 4096  # test: 37
OUT_FEATURES = 4096  # test: 13


class Model(nn.Module):
    def __init__(self, in_features, out_features, bn_eps=1e-5, bn_momentum=0.1):
        super().__init__()
        self.gemm = nn.Linear(in_features, out_features)
        self.bn = nn.BatchNorm1d(out_features, eps=bn_eps, momentum=bn_momentum)

    def forward(self, x):
        x = self.gemm(x)
        x = self.bn(x)
        x = torch.relu(x)
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_FEATURES)]


def get_init_inputs():
    return [IN_FEATURES, OUT_FEATURES]
