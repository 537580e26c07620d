"""diffusers' GEGLU feed-forward input: one projection to twice the width, chunked into value and gate."""

import torch
import torch.nn.functional as F
from torch import nn

CLASS = "models"

BATCH = 2  # test: 2
TOKENS = 4096  # test: 13
DIM_IN = 320  # test: 16
DIM_OUT = 1280  # test: 24


class Model(nn.Module):
    def __init__(self, dim_in: int, dim_out: int, bias: bool = True):
        super().__init__()
        self.proj = nn.Linear(dim_in, dim_out * 2, bias=bias)

    def gelu(self, gate: torch.Tensor) -> torch.Tensor:
        return F.gelu(gate)

    def forward(self, hidden_states):
        hidden_states, gate = self.proj(hidden_states).chunk(2, dim=-1)
        return hidden_states * self.gelu(gate)


def get_inputs():
    return [torch.randn(BATCH, TOKENS, DIM_IN)]


def get_init_inputs():
    return [DIM_IN, DIM_OUT]
