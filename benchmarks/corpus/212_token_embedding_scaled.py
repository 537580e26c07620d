"""The Annotated Transformer's embedding: nn.Embedding lookup of integer tokens times sqrt(d_model)."""

import math

import torch
import torch.nn as nn

CLASS = "models"

BATCH = 64  # test: 4
SEQ_LEN = 1024  # test: 23
VOCAB = 32000  # test: 97
D_MODEL = 1024  # test: 24


class Model(nn.Module):
    def __init__(self, vocab, d_model):
        super().__init__()
        self.lut = nn.Embedding(vocab, d_model)
        self.d_model = d_model

    def forward(self, x):
        return self.lut(x) * math.sqrt(self.d_model)


def get_inputs():
    return [torch.randint(0, VOCAB, (BATCH, SEQ_LEN))]


def get_init_inputs():
    return [VOCAB, D_MODEL]
