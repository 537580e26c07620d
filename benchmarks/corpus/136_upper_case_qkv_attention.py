"""Scaled dot-product attention with upper-case Q, K, V arguments."""

import torch
import torch.nn as nn

CLASS = "spelling"

BATCH = 16  # test: 2
NUM_HEADS = 8  # test: 3
SEQ_LEN = 1024  # test: 11
HEAD_DIM = 64  # test: 8


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, Q, K, V):
        return torch.nn.functional.scaled_dot_product_attention(Q, K, V)


def get_inputs():
    Q = torch.randn(BATCH, NUM_HEADS, SEQ_LEN, HEAD_DIM)
    K = torch.randn(BATCH, NUM_HEADS, SEQ_LEN, HEAD_DIM)
    V = torch.randn(BATCH, NUM_HEADS, SEQ_LEN, HEAD_DIM)
    return [Q, K, V]


def get_init_inputs():
    return []
