"""Log-softmax over the channel dim of a segmentation map, spelled x.log_softmax(dim=1)."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 16  # test: 2
NUM_CLASSES = 21  # test: 5
HEIGHT = 512  # test: 9
WIDTH = 512  # test: 11


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return x.log_softmax(dim=1)


def get_inputs():
    return [torch.randn(BATCH_SIZE, NUM_CLASSES, HEIGHT, WIDTH) * 5]


def get_init_inputs():
    return []
