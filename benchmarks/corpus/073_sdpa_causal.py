"""Causal scaled dot-product attention (is_causal=True)."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "single"

BATCH = 8  # test: 2
NUM_HEADS = 32  # test: 2
SEQ_LEN = 2048  # test: 17
HEAD_DIM = 128  # test: 16


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, query, key, value):
        return F.scaled_dot_product_attention(query, key, value, is_causal=True)


def get_inputs():
    shape = (BATCH, NUM_HEADS, SEQ_LEN, HEAD_DIM)
    return [torch.randn(shape), torch.randn(shape), torch.randn(shape)]


def get_init_inputs():
    return []
