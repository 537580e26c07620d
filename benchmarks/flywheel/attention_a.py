"""Flywheel pair, first problem: fp32 attention with 128-wide heads.

The attention template's default tiles for heads wider than 64 are small
(32 x 32, 4 warps: config.attention_tiles), chosen to stay inside registers
and shared memory on any GPU rather than measured on this one, so a cold
search has several moves to make before it reaches the tiles this device
prefers; those are what a skill should carry to the next shape."""

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 8  # test: 2
HEADS = 16  # test: 2
SEQ = 1024  # test: 37
HEAD_DIM = 128  # test: 16


class Model(nn.Module):
    def forward(self, q, k, v):
        return F.scaled_dot_product_attention(q, k, v)


def get_inputs():
    shape = (BATCH, HEADS, SEQ, HEAD_DIM)
    return [torch.randn(shape), torch.randn(shape), torch.randn(shape)]


def get_init_inputs():
    return []
