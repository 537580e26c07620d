"""Classifier head: ReLU -> Linear -> LogSoftmax over classes."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "chain"

BATCH_SIZE = 8192  # test: 7
IN_FEATURES = 4096  # test: 37
NUM_CLASSES = 1000  # test: 11


class Model(nn.Module):
    def __init__(self, in_features, num_classes):
        super().__init__()
        self.fc = nn.Linear(in_features, num_classes)

    def forward(self, x):
        x = F.relu(x)
        x = self.fc(x)
        return F.log_softmax(x, dim=1)


def get_inputs():
    return [torch.randn(BATCH_SIZE, IN_FEATURES)]


def get_init_inputs():
    return [IN_FEATURES, NUM_CLASSES]
