"""Token mixing: (batch, seq, dim).transpose(1, 2) -> depthwise Conv1d -> transpose back -> GELU."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "computed"

BATCH = 32  # test: 2
SEQ_LEN = 2048  # test: 13
DIM = 512  # test: 5


class Model(nn.Module):
    def __init__(self, dim, kernel_size=3):
        super().__init__()
        self.dwconv = nn.Conv1d(dim, dim, kernel_size, padding=kernel_size // 2, groups=dim)

    def forward(self, x):
        x = x.transpose(1, 2)
        x = self.dwconv(x)
        x = x.transpose(1, 2)
        return F.gelu(x)


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, DIM)]


def get_init_inputs():
    return [DIM]
