"""ReLU then 3x3 max pooling with stride 2 and padding 1, as a ResNet stem does."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CATEGORY = "fusion"  # bench: counts towards the fusion geomean

BATCH = 64
CHANNELS = 64
HEIGHT = 224  # test: 13
WIDTH = 224  # test: 11


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return F.max_pool2d(torch.relu(x), kernel_size=3, stride=2, padding=1)


def get_inputs():
    return [torch.randn(BATCH, CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return []
