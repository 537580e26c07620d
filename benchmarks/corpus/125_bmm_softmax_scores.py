"""Attention scores via bmm of queries and transposed keys -> Softmax over keys."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH = 256  # test: 3
SEQ_LEN = 1024  # test: 13
HEAD_DIM = 64  # test: 8


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, q, k):
        scores = torch.bmm(q, k.transpose(1, 2))
        return torch.softmax(scores, dim=-1)


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, HEAD_DIM), torch.randn(BATCH, SEQ_LEN, HEAD_DIM)]


def get_init_inputs():
    return []
