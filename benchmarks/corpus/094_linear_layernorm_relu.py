"""Linear -> LayerNorm -> ReLU."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "chain"

BATCH_SIZE = 4096  # test: 7
IN_FEATURES = 4096  # test: 37
OUT_FEATURES = 4096  # test: 41


class Model(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.fc = nn.Linear(in_features, out_features)
        self.norm = nn.LayerNorm(out_features)

    def forward(self, x):
        return F.relu(self.norm(self.fc(x)))


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_FEATURES)]


def get_init_inputs():
    return [IN_FEATURES, OUT_FEATURES]
