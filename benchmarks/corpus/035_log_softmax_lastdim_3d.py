"""Log-softmax over the vocabulary (last) dim of (batch, seq, vocab) logits."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH = 8  # test: 3
SEQ_LEN = 512  # test: 5
VOCAB_SIZE = 32000  # test: 61


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, logits):
        return torch.log_softmax(logits, dim=-1)


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, VOCAB_SIZE) * 3]


def get_init_inputs():
    return []
