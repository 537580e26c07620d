# A problem that ends its process at import: bad input, never the candidate's crash.
import sys

import torch
import torch.nn as nn

sys.exit(3)


class Model(nn.Module):
    def forward(self, x):
        return torch.softmax(x, dim=1)


def get_inputs():
    return [torch.randn(16, 100)]


def get_init_inputs():
    return []
