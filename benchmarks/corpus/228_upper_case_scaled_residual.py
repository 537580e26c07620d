"""Upper-case argument names and a module constant: Y = LN(X + ALPHA * F(X)) as a math-style paper port writes it."""

import torch
import torch.nn.functional as F
from torch import nn

CLASS = "models"

ALPHA = 0.5
B = 16  # test: 2
T = 1024  # test: 6
D = 1024  # test: 20


class Model(nn.Module):
    def __init__(self, D):
        super().__init__()
        self.W = nn.Parameter(torch.randn(D, D) / D**0.5)
        self.G = nn.Parameter(torch.ones(D))
        self.Bb = nn.Parameter(torch.zeros(D))

    def forward(self, X):
        H = F.gelu(X @ self.W)
        return F.layer_norm(X + ALPHA * H, (X.shape[-1],), self.G, self.Bb)


def get_inputs():
    return [torch.randn(B, T, D) * 10 - 3]


def get_init_inputs():
    return [D]
