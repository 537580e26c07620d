"""L1 loss with sum reduction via nn.L1Loss(reduction='sum')."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 16384  # test: 5
DIM = 8192  # test: 37


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.loss = nn.L1Loss(reduction="sum")

    def forward(self, predictions, targets):
        return self.loss(predictions, targets)


def get_inputs():
    return [torch.randn(BATCH_SIZE, DIM), torch.randn(BATCH_SIZE, DIM)]


def get_init_inputs():
    return []
