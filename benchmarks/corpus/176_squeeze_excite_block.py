"""SE block: global pool -> view -> Linear -> ReLU -> Linear -> Sigmoid -> view -> rescale input."""

import torch
import torch.nn as nn

CLASS = "computed"

BATCH_SIZE = 32  # test: 2
CHANNELS = 256  # test: 48
HEIGHT = 56  # test: 9
WIDTH = 56  # test: 7
REDUCTION = 16  # test: 16


class Model(nn.Module):
    def __init__(self, channel, reduction=16):
        super().__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Linear(channel, channel // reduction, bias=False)
        self.fc2 = nn.Linear(channel // reduction, channel, bias=False)

    def forward(self, x):
        b, c, _, _ = x.size()
        y = self.avg_pool(x).view(b, c)
        y = torch.sigmoid(self.fc2(torch.relu(self.fc1(y)))).view(b, c, 1, 1)
        return x * y.expand_as(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [CHANNELS, REDUCTION]
