"""SwiGLU over a fused projection's output, split with chunk: silu(x1) * x2."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "models"

TOKENS = 8192  # test: 21
HIDDEN = 11008  # test: 13


class Model(nn.Module):
    def forward(self, x):
        x1, x2 = x.chunk(2, dim=-1)
        return F.silu(x1) * x2


def get_inputs():
    return [torch.randn(TOKENS, 2 * HIDDEN)]


def get_init_inputs():
    return []
