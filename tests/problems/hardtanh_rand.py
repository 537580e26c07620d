"""HardTanh as KernelBench writes it, with inputs drawn by torch.rand: never below -1, so
the lower clamp is never exercised by the problem's own values or by a signed uniform
draw within their magnitude."""

import torch
import torch.nn as nn
import torch.nn.functional as F

batch_size = 16
dim = 389


class Model(nn.Module):
    """
    Simple model that performs a HardTanh activation.
    """

    def __init__(self):
        super(Model, self).__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.hardtanh(x, min_val=-1.0, max_val=1.0)


def get_inputs():
    x = torch.rand(batch_size, dim)
    return [x]


def get_init_inputs():
    return []
