"""timm's LayerScale (x * gamma, gamma in float32) after a tanh-approximate GELU on bfloat16 activations."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "models"

BATCH = 64  # test: 4
TOKENS = 197  # test: 9
DIM = 1024  # test: 48


class LayerScale(nn.Module):
    def __init__(self, dim, init_values=1e-5, inplace=False):
        super().__init__()
        self.inplace = inplace
        self.gamma = nn.Parameter(init_values * torch.ones(dim))

    def forward(self, x):
        return x.mul_(self.gamma) if self.inplace else x * self.gamma


class Model(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.ls1 = LayerScale(dim, init_values=0.1)

    def forward(self, x):
        return self.ls1(F.gelu(x, approximate="tanh"))


def get_inputs():
    return [torch.randn(BATCH, TOKENS, DIM, dtype=torch.bfloat16)]


def get_init_inputs():
    return [DIM]
