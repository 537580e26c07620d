"""Multi-class cross entropy of logits against integer class targets."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "single"

BATCH_SIZE = 32768  # test: 7
NUM_CLASSES = 4096  # test: 37


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, predictions, targets):
        return F.cross_entropy(predictions, targets)


def get_inputs():
    return [torch.randn(BATCH_SIZE, NUM_CLASSES) * 5, torch.randint(0, NUM_CLASSES, (BATCH_SIZE,))]


def get_init_inputs():
    return []
