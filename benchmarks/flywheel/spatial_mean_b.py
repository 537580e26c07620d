"""Flywheel pair (issue 22), second problem: the same mean in another regime,
few large maps (a segmentation backbone's early stage): 8 images x 64 channels
of 512 x 512, 512 rows of 262144, 16x fewer and 16x longer than the first's."""

import torch
import torch.nn as nn

BATCH = 8  # test: 2
CHANNELS = 64  # test: 3
SIZE = 512  # test: 21


class Model(nn.Module):
    def forward(self, features):
        return torch.mean(features, dim=(2, 3))


def get_inputs():
    return [torch.randn(BATCH, CHANNELS, SIZE, SIZE)]


def get_init_inputs():
    return []
