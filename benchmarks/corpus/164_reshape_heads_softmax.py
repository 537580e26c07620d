"""Reshape (batch, seq, hidden) into heads, softmax over head_dim, reshape back."""

import torch
import torch.nn as nn

CLASS = "computed"

BATCH = 16  # test: 2
SEQ_LEN = 2048  # test: 5
NUM_HEADS = 16  # test: 3
HEAD_DIM = 128  # test: 7


class Model(nn.Module):
    def __init__(self, num_heads):
        super().__init__()
        self.num_heads = num_heads

    def forward(self, x):
        b, t, c = x.shape
        x = x.reshape(b, t, self.num_heads, c // self.num_heads)
        x = torch.softmax(x, dim=-1)
        return x.reshape(b, t, c)


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, NUM_HEADS * HEAD_DIM)]


def get_init_inputs():
    return [NUM_HEADS]
