"""Non-causal scaled dot-product attention via F.scaled_dot_product_attention."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "single"

BATCH = 16  # test: 2
NUM_HEADS = 16  # test: 3
SEQ_LEN = 1024  # test: 13
HEAD_DIM = 64  # test: 8


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, q, k, v):
        return F.scaled_dot_product_attention(q, k, v)


def get_inputs():
    shape = (BATCH, NUM_HEADS, SEQ_LEN, HEAD_DIM)
    return [torch.randn(shape), torch.randn(shape), torch.randn(shape)]


def get_init_inputs():
    return []
