"""GroupNorm on an image batch with an nn.GroupNorm submodule."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 16  # test: 2
FEATURES = 64  # test: 12
NUM_GROUPS = 4  # test: 4
HEIGHT = 256  # test: 7
WIDTH = 256  # test: 9


class Model(nn.Module):
    def __init__(self, num_features: int, num_groups: int):
        super().__init__()
        self.gn = nn.GroupNorm(num_groups=num_groups, num_channels=num_features)

    def forward(self, x):
        return self.gn(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, FEATURES, HEIGHT, WIDTH)]


def get_init_inputs():
    return [FEATURES, NUM_GROUPS]
