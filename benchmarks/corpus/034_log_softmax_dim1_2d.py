"""Log-softmax over dim 1 of 2-D logits via F.log_softmax."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "single"

BATCH_SIZE = 4096  # test: 5
DIM = 16384  # test: 37


class Model(nn.Module):
    def __init__(self, dim: int = 1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.log_softmax(x, dim=self.dim)


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM) * 10]


def get_init_inputs():
    return [1]
