"""Causal attention by hand: scores -> masked_fill above the diagonal -> softmax -> @ v."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "chain"

BATCH = 8  # test: 2
NUM_HEADS = 12  # test: 2
SEQ_LEN = 1024  # test: 13
HEAD_DIM = 64  # test: 8


class Model(nn.Module):
    def __init__(self, max_seq_len):
        super().__init__()
        mask = torch.tril(torch.ones(max_seq_len, max_seq_len))
        self.register_buffer("bias", mask.view(1, 1, max_seq_len, max_seq_len))

    def forward(self, q, k, v):
        T = q.size(-2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        return att @ v


def get_inputs():
    shape = (BATCH, NUM_HEADS, SEQ_LEN, HEAD_DIM)
    return [torch.randn(shape), torch.randn(shape), torch.randn(shape)]


def get_init_inputs():
    return [SEQ_LEN]
