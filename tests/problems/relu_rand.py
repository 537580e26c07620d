"""ReLU whose own inputs are never negative (torch.rand): on them alone a copy looks right."""

import torch
import torch.nn as nn


class Model(nn.Module):
    def forward(self, x):
        return torch.relu(x)


def get_inputs():
    return [torch.rand(19, 67)]


def get_init_inputs():
    return []
