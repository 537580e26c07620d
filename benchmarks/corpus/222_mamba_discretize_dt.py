"""Mamba's discretisation step: dt through softplus with its bias, A from A_log, dA = exp(dt * A)."""

import torch
import torch.nn.functional as F
from torch import nn

CLASS = "models"

BATCH = 8  # test: 2
SEQ_LEN = 2048  # test: 9
D_INNER = 1536  # test: 12
D_STATE = 16  # test: 4


class Model(nn.Module):
    def __init__(self, d_inner, d_state):
        super().__init__()
        A = torch.arange(1, d_state + 1, dtype=torch.float32).repeat(d_inner, 1)
        self.A_log = nn.Parameter(torch.log(A))
        self.dt_bias = nn.Parameter(torch.rand(d_inner) * 0.1)

    def forward(self, dt):
        A = -torch.exp(self.A_log.float())  # (d_inner, d_state)
        dt = F.softplus(dt + self.dt_bias)  # (B, L, d_inner)
        dA = torch.exp(dt.unsqueeze(-1) * A)  # (B, L, d_inner, d_state)
        return dA


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, D_INNER)]


def get_init_inputs():
    return [D_INNER, D_STATE]
