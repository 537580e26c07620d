"""Linear -> nn.Dropout(0.0) submodule -> Tanh."""

import torch
import torch.nn as nn

CLASS = "spelling"

BATCH_SIZE = 4096  # test: 5
IN_FEATURES = 4096  # test: 37
OUT_FEATURES = 4096  # test: 23


class Model(nn.Module):
    def __init__(self, in_features, out_features, dropout=0.0):
        super().__init__()
        self.fc = nn.Linear(in_features, out_features)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return torch.tanh(self.dropout(self.fc(x)))


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_FEATURES)]


def get_init_inputs():
    return [IN_FEATURES, OUT_FEATURES]
