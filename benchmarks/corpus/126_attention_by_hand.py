"""Attention written out: (q @ k^T) * scale -> softmax -> @ v."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH = 16  # test: 2
NUM_HEADS = 16  # test: 3
SEQ_LEN = 1024  # test: 11
HEAD_DIM = 64  # test: 8


class Model(nn.Module):
    def __init__(self, head_dim):
        super().__init__()
        self.scale = head_dim ** -0.5

    def forward(self, q, k, v):
        attn = (q @ k.transpose(-2, -1)) * self.scale
        attn = attn.softmax(dim=-1)
        return attn @ v


def get_inputs():
    shape = (BATCH, NUM_HEADS, SEQ_LEN, HEAD_DIM)
    return [torch.randn(shape), torch.randn(shape), torch.randn(shape)]


def get_init_inputs():
    return [HEAD_DIM]
