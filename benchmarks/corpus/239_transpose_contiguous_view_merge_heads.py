"""Merging attention heads as many codebases write it: transpose(1, 2).contiguous().view(B, T, C), then the output projection."""

import torch
from torch import nn

CLASS = "models"

BATCH = 8  # test: 2
HEADS = 16  # test: 2
SEQ = 512  # test: 5
HEAD_DIM = 64  # test: 4


class Model(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.c_proj = nn.Linear(n_embd, n_embd)

    def forward(self, y):
        B, nh, T, hs = y.size()
        y = y.transpose(1, 2).contiguous().view(B, T, nh * hs)
        return self.c_proj(y)


def get_inputs():
    return [torch.randn(BATCH, HEADS, SEQ, HEAD_DIM)]


def get_init_inputs():
    return [HEADS * HEAD_DIM]
