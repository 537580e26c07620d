"""Smooth L1 loss with beta=1 between two 2-D tensors."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "single"

BATCH_SIZE = 32768  # test: 5
DIM = 4096  # test: 41


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, predictions, targets):
        return F.smooth_l1_loss(predictions, targets, beta=1.0)


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM) * 3, torch.randn(BATCH_SIZE, DIM)]


def get_init_inputs():
    return []
