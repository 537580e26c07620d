"""Pre-norm transformer residual x + mlp(ln(x)) with a Linear-GELU-Linear MLP."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH = 8  # test: 2
SEQ_LEN = 2048  # test: 5
N_EMBD = 1024  # test: 13


class Model(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.ln = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(
            nn.Linear(n_embd, 4 * n_embd),
            nn.GELU(approximate="tanh"),
            nn.Linear(4 * n_embd, n_embd),
        )

    def forward(self, x):
        return x + self.mlp(self.ln(x))


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, N_EMBD)]


def get_init_inputs():
    return [N_EMBD]
