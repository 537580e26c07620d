"""nn.LayerNorm over the last two dims with learned affine parameters."""

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 64
FEATURES = 64
DIM = 4096


class Model(nn.Module):
    def __init__(self, normalized_shape):
        super().__init__()
        self.ln = nn.LayerNorm(normalized_shape)

    def forward(self, x):
        return self.ln(x)


def get_inputs():
    return [torch.randn(BATCH, FEATURES, DIM)]


def get_init_inputs():
    return [(FEATURES, DIM)]