"""nn.BatchNorm1d on (batch, features) in training mode (batch statistics)."""

import torch
import torch.nn as nn

CLASS = "training"

BATCH_SIZE = 16384  # test: 7
NUM_FEATURES = 4096  # test: 37


class Model(nn.Module):
    def __init__(self, num_features: int):
        super().__init__()
        self.bn = nn.BatchNorm1d(num_features=num_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, NUM_FEATURES) * 2 + 0.5]


def get_init_inputs():
    return [NUM_FEATURES]
