"""Ultralytics' DFL: box logits viewed as (b, 4, c1, a), softmax over the c1 bins, a fixed 1x1 conv as the expectation."""

import torch
import torch.nn as nn

CLASS = "models"

BATCH = 16  # test: 2
ANCHORS = 8400  # test: 11
C1 = 16


class Model(nn.Module):
    def __init__(self, c1=16):
        super().__init__()
        self.conv = nn.Conv2d(c1, 1, 1, bias=False).requires_grad_(False)
        x = torch.arange(c1, dtype=torch.float)
        self.conv.weight.data[:] = nn.Parameter(x.view(1, c1, 1, 1))
        self.c1 = c1

    def forward(self, x):
        b, _, a = x.shape  # batch, channels, anchors
        return self.conv(x.view(b, 4, self.c1, a).transpose(2, 1).softmax(1)).view(b, 4, a)


def get_inputs():
    return [torch.randn(BATCH, 4 * C1, ANCHORS)]


def get_init_inputs():
    return [C1]
