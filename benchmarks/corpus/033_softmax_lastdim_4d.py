"""Softmax over the last dim of attention-shaped scores via F.softmax."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "single"

BATCH = 8  # test: 2
NUM_HEADS = 16  # test: 3
SEQ_Q = 1024  # test: 5
SEQ_K = 1024  # test: 41


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, scores):
        return F.softmax(scores, dim=-1)


def get_inputs():
    return [torch.randn(BATCH, NUM_HEADS, SEQ_Q, SEQ_K) * 4]


def get_init_inputs():
    return []
