"""argmin over the middle dim of small integers: most columns hold the minimum
several times, and torch returns the first. 41 rows walk three 16-row chunks."""

import torch
import torch.nn as nn


class Model(nn.Module):
    def forward(self, x):
        return torch.argmin(x, dim=1)


def get_inputs():
    return [torch.randint(0, 3, (3, 41, 37)).float()]


def get_init_inputs():
    return []
