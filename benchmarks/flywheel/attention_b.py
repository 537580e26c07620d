"""Flywheel pair, second problem: the same attention (fp32, 128-wide heads)
at another shape: half the batch, twice the sequence, a quarter fewer heads."""

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 4  # test: 2
HEADS = 12  # test: 2
SEQ = 2048  # test: 41
HEAD_DIM = 128  # test: 16


class Model(nn.Module):
    def forward(self, q, k, v):
        return F.scaled_dot_product_attention(q, k, v)


def get_inputs():
    shape = (BATCH, HEADS, SEQ, HEAD_DIM)
    return [torch.randn(shape), torch.randn(shape), torch.randn(shape)]


def get_init_inputs():
    return []
