# A problem that calls os._exit() at import: bad input, never the candidate's crash.
import os

import torch
import torch.nn as nn

os._exit(0)


class Model(nn.Module):
    def forward(self, x):
        return torch.softmax(x, dim=1)


def get_inputs():
    return [torch.randn(16, 100)]


def get_init_inputs():
    return []
