"""Multi-head attention on (batch, seq, embed) with view/transpose into heads and back."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "computed"

BATCH = 8  # test: 2
SEQ_LEN = 1024  # test: 7
NUM_HEADS = 16  # test: 2
HEAD_DIM = 64  # test: 5


class Model(nn.Module):
    def __init__(self, num_heads):
        super().__init__()
        self.n_head = num_heads

    def forward(self, q, k, v):
        B, T, C = q.size()
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = F.softmax((q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1)), dim=-1)
        y = att @ v
        return y.transpose(1, 2).contiguous().view(B, T, C)


def get_inputs():
    shape = (BATCH, SEQ_LEN, NUM_HEADS * HEAD_DIM)
    return [torch.randn(shape), torch.randn(shape), torch.randn(shape)]


def get_init_inputs():
    return [NUM_HEADS]
