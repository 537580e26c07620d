"""Linear -> Mish -> Mish."""

import torch
import torch.nn as nn

CLASS = "chain"

BATCH_SIZE = 4096  # test: 7
IN_FEATURES = 4096  # test: 37
OUT_FEATURES = 4096  # test: 17


class Model(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)

    def forward(self, x):
        x = self.linear(x)
        x = torch.nn.functional.mish(x)
        x = torch.nn.functional.mish(x)
        return x


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_FEATURES)]


def get_init_inputs():
    return [IN_FEATURES, OUT_FEATURES]
