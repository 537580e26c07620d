"""Flywheel pair (issue 22), first problem: global average pooling written as
ResNet-style classifier heads write it, a mean over each feature map's
positions: 32 images x 256 channels of 128 x 128 (8192 rows of 16384)."""

import torch
import torch.nn as nn

BATCH = 32  # test: 2
CHANNELS = 256  # test: 3
SIZE = 128  # test: 9


class Model(nn.Module):
    def forward(self, features):
        return torch.mean(features, dim=(2, 3))


def get_inputs():
    return [torch.randn(BATCH, CHANNELS, SIZE, SIZE)]


def get_init_inputs():
    return []
