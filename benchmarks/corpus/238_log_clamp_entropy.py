"""Entropy of predicted probabilities with a clamp before the log, as many training scripts write it."""

import torch
from torch import nn

CLASS = "models"

BATCH = 4096  # test: 13
CLASSES = 1000  # test: 17


class Model(nn.Module):
    def __init__(self, eps=1e-8):
        super().__init__()
        self.eps = eps

    def forward(self, logits):
        p = torch.softmax(logits, dim=-1)
        return -(p * torch.clamp(p, min=self.eps).log()).sum(dim=-1).mean()


def get_inputs():
    return [torch.randn(BATCH, CLASSES) * 8]


def get_init_inputs():
    return []
