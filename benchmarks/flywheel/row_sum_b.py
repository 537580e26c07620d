"""Flywheel pair (issue 22), second problem: the same reduction over few long
rows. A per-image loss summed over every pixel of 64 images of 2048 x 2048
(the per-pixel map flattened first): fewer rows than SMs."""

import torch
import torch.nn as nn

IMAGES = 64  # test: 3
PIXELS = 4194304  # 2048 x 2048; test: 5000


class Model(nn.Module):
    def forward(self, per_pixel_loss):
        return per_pixel_loss.sum(dim=1)


def get_inputs():
    return [torch.randn(IMAGES, PIXELS)]


def get_init_inputs():
    return []
