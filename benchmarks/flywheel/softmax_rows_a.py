"""Flywheel pair (issue 22), first problem: few rows. A spatial softmax over
each keypoint heatmap (as DSNT-style keypoint heads compute it): 4 images x 16
keypoints = 64 rows of 1024 x 2048 pixels, fewer rows than the H200 has SMs."""

import torch
import torch.nn as nn

BATCH = 4  # test: 1
KEYPOINTS = 16  # test: 3
HEIGHT = 1024  # test: 10
WIDTH = 2048  # test: 70


class Model(nn.Module):
    def forward(self, heatmaps):
        return torch.softmax(heatmaps, dim=-1)


def get_inputs():
    return [torch.randn(BATCH * KEYPOINTS, HEIGHT * WIDTH)]


def get_init_inputs():
    return []
