"""LayerNorm written out with mean, biased var and rsqrt, then weight and bias."""

import torch
import torch.nn as nn

CLASS = "spelling"

BATCH = 16  # test: 3
SEQ_LEN = 2048  # test: 5
HIDDEN_SIZE = 2048  # test: 37


class Model(nn.Module):
    def __init__(self, hidden_size, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.bias = nn.Parameter(torch.zeros(hidden_size))
        self.eps = eps

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
        x_hat = (x - mean) * torch.rsqrt(var + self.eps)
        return x_hat * self.weight + self.bias


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, HIDDEN_SIZE) * 4 + 2]


def get_init_inputs():
    return [HIDDEN_SIZE]
