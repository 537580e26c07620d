"""(batch, seq, in) @ (in, out) matmul of a 3-D activation by a 2-D weight."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH = 16  # test: 3
SEQ_LEN = 2048  # test: 7
IN_FEATURES = 2048  # test: 29
OUT_FEATURES = 4096  # test: 19


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x, weight):
        return torch.matmul(x, weight)


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, IN_FEATURES), torch.randn(IN_FEATURES, OUT_FEATURES)]


def get_init_inputs():
    return []
