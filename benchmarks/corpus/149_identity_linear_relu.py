"""nn.Identity in front of a Linear -> ReLU chain."""

import torch
import torch.nn as nn

CLASS = "spelling"

BATCH_SIZE = 4096  # test: 7
IN_FEATURES = 4096  # test: 37
OUT_FEATURES = 4096  # test: 17


class Model(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.pre = nn.Identity()
        self.fc = nn.Linear(in_features, out_features)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.fc(self.pre(x)))


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_FEATURES)]


def get_init_inputs():
    return [IN_FEATURES, OUT_FEATURES]
