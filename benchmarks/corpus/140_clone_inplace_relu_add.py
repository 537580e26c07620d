"""x.clone() -> in-place relu_ -> add the original input."""

import torch
import torch.nn as nn

CLASS = "spelling"

BATCH = 32  # test: 3
SEQ = 2048  # test: 5
DIM = 1024  # test: 17


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        out = x.clone()
        out.relu_()
        return out + x


def get_inputs():
    return [torch.randn(BATCH, SEQ, DIM)]


def get_init_inputs():
    return []
