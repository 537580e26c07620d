"""Instance normalisation with an nn.InstanceNorm2d submodule."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 16  # test: 2
FEATURES = 64  # test: 5
HEIGHT = 256  # test: 11
WIDTH = 256  # test: 9


class Model(nn.Module):
    def __init__(self, num_features: int):
        super().__init__()
        self.inorm = nn.InstanceNorm2d(num_features=num_features)

    def forward(self, x):
        return self.inorm(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, FEATURES, HEIGHT, WIDTH) * 3 - 1]


def get_init_inputs():
    return [FEATURES]
