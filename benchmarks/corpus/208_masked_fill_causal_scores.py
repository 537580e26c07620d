"""minGPT-style causal attention scores: q @ k^T scaled, masked_fill with -inf above the diagonal, softmax."""

import math

import torch
import torch.nn as nn

CLASS = "models"

BATCH = 8  # test: 2
NUM_HEADS = 12  # test: 3
SEQ_LEN = 1024  # test: 19
HEAD_DIM = 64  # test: 8


class Model(nn.Module):
    def forward(self, q, k):
        T = q.size(-2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        mask = torch.triu(torch.ones(T, T, device=q.device), diagonal=1).bool()
        att = att.masked_fill(mask, float("-inf"))
        return torch.softmax(att, dim=-1)


def get_inputs():
    shape = (BATCH, NUM_HEADS, SEQ_LEN, HEAD_DIM)
    return [torch.randn(shape), torch.randn(shape)]


def get_init_inputs():
    return []
