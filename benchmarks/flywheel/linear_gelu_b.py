"""Flywheel pair (issue 22), second problem: the same Linear + bias + GELU at
decode time: 256 tokens (fewer than 2 per SM), a larger model's
8192 -> 28672 features (the weight alone is 448 MiB)."""

import torch
import torch.nn as nn
import torch.nn.functional as F

TOKENS = 256  # test: 5
HIDDEN = 8192  # test: 96
INTERMEDIATE = 28672  # test: 80


class Model(nn.Module):
    def __init__(self, hidden, intermediate):
        super().__init__()
        self.c_fc = nn.Linear(hidden, intermediate).to(torch.bfloat16)

    def forward(self, x):
        return F.gelu(self.c_fc(x))


def get_inputs():
    return [torch.randn(TOKENS, HIDDEN, dtype=torch.bfloat16)]


def get_init_inputs():
    return [HIDDEN, INTERMEDIATE]
