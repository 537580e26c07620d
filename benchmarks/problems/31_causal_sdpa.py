"""Causal scaled_dot_product_attention with an explicit scale."""

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 8  # test: 2
HEADS = 16  # test: 3
SEQ = 2048  # test: 29
HEAD_DIM = 64  # test: 8


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, q, k, v):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.2)


def get_inputs():
    shape = (BATCH, HEADS, SEQ, HEAD_DIM)
    return [torch.randn(shape), torch.randn(shape), torch.randn(shape)]


def get_init_inputs():
    return []