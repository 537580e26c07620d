"""Flywheel pair (issue 22), first problem: a GEMM with an epilogue. A GPT-style
MLP's up-projection, Linear + bias + GELU in bf16, over a prefill batch of
16384 tokens: 4096 -> 16384 features."""

import torch
import torch.nn as nn
import torch.nn.functional as F

TOKENS = 16384  # test: 9
HIDDEN = 4096  # test: 64
INTERMEDIATE = 16384  # test: 96


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
