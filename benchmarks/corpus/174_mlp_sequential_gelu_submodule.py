"""MLP as nn.Sequential(Linear, nn.GELU(), Linear) applied to a flattened (batch*seq, dim) view."""

import torch
import torch.nn as nn

CLASS = "computed"

BATCH = 16  # test: 2
SEQ_LEN = 1024  # test: 5
DIM = 1024  # test: 11
HIDDEN_DIM = 4096  # test: 37


class Model(nn.Module):
    def __init__(self, dim, hidden_dim):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, hidden_dim), nn.GELU(), nn.Linear(hidden_dim, dim))

    def forward(self, x):
        b, n, d = x.shape
        y = self.net(x.reshape(b * n, d))
        return y.view(b, n, d)


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, DIM)]


def get_init_inputs():
    return [DIM, HIDDEN_DIM]
