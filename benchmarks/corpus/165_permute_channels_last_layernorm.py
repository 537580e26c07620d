"""ConvNeXt channels-last LayerNorm: permute NCHW -> NHWC, layer_norm, permute back."""

import torch
import torch.nn as nn

CLASS = "computed"

BATCH_SIZE = 32  # test: 2
CHANNELS = 96  # test: 7
HEIGHT = 112  # test: 9
WIDTH = 112  # test: 11


class Model(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.norm = nn.LayerNorm(dim, eps=eps)

    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        x = self.norm(x)
        x = x.permute(0, 3, 1, 2)
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [CHANNELS]
