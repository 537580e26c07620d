"""Space-to-depth by view + permute + reshape (2x2 blocks), then ReLU."""

import torch
import torch.nn as nn

CLASS = "computed"

BATCH_SIZE = 16  # test: 2
CHANNELS = 64  # test: 3
HEIGHT = 256  # test: 10
WIDTH = 256  # test: 8


class Model(nn.Module):
    def __init__(self, block_size=2):
        super().__init__()
        self.bs = block_size

    def forward(self, x):
        b, c, h, w = x.shape
        x = x.view(b, c, h // self.bs, self.bs, w // self.bs, self.bs)
        x = x.permute(0, 3, 5, 1, 2, 4).reshape(b, c * self.bs * self.bs, h // self.bs, w // self.bs)
        return torch.relu(x)


def get_inputs():
    return [torch.randn(BATCH_SIZE, CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [2]
