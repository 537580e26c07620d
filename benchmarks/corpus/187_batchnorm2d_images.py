"""nn.BatchNorm2d on an image batch in training mode (batch statistics)."""

import torch
import torch.nn as nn

CLASS = "training"

BATCH_SIZE = 16  # test: 2
FEATURES = 64  # test: 5
DIM1 = 256  # test: 9
DIM2 = 256  # test: 11


class Model(nn.Module):
    def __init__(self, num_features: int):
        super().__init__()
        self.bn = nn.BatchNorm2d(num_features=num_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, FEATURES, DIM1, DIM2)]


def get_init_inputs():
    return [FEATURES]
