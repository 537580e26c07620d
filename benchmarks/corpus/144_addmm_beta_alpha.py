"""torch.addmm with beta=0.5 and alpha=2.0 on a bias parameter and two inputs."""

import torch
import torch.nn as nn

CLASS = "spelling"

M = 4096  # test: 23
K = 4096  # test: 37
N = 4096  # test: 13


class Model(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.bias = nn.Parameter(torch.randn(n))

    def forward(self, mat1, mat2):
        return torch.addmm(self.bias, mat1, mat2, beta=0.5, alpha=2.0)


def get_inputs():
    return [torch.randn(M, K), torch.randn(K, N)]


def get_init_inputs():
    return [N]
