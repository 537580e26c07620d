"""Gemm -> inference BatchNorm (F.batch_norm, training=False) -> GELU."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "chain"

BATCH_SIZE = 4096  # test: 5
IN_FEATURES = 4096  # test: 37
OUT_FEATURES = 8192  # test: 23


class Model(nn.Module):
    def __init__(self, in_features, out_features, eps=1e-5):
        super().__init__()
        self.gemm = nn.Linear(in_features, out_features)
        self.register_buffer("running_mean", torch.randn(out_features) * 0.1)
        self.register_buffer("running_var", torch.rand(out_features) + 0.5)
        self.bn_weight = nn.Parameter(torch.randn(out_features))
        self.bn_bias = nn.Parameter(torch.randn(out_features))
        self.eps = eps

    def forward(self, x):
        x = self.gemm(x)
        x = F.batch_norm(x, self.running_mean, self.running_var, self.bn_weight,
                         self.bn_bias, training=False, eps=self.eps)
        return F.gelu(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_FEATURES)]


def get_init_inputs():
    return [IN_FEATURES, OUT_FEATURES]
