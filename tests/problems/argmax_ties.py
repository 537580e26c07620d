"""argmax over the last dim of small integers: most columns hold the maximum
several times, and torch returns the first. 37 columns walk three 16-element chunks."""

import torch
import torch.nn as nn


class Model(nn.Module):
    def forward(self, x):
        return torch.argmax(x, dim=2)


def get_inputs():
    return [torch.randint(0, 3, (3, 41, 37)).float()]


def get_init_inputs():
    return []
