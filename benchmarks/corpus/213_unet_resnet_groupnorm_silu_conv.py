"""diffusers' ResnetBlock2D opening: GroupNorm, SiLU, 3x3 convolution."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "models"

BATCH = 8  # test: 2
CHANNELS = 320  # test: 8
GROUPS = 32  # test: 4
HEIGHT = 64  # test: 11
WIDTH = 64  # test: 9


class Model(nn.Module):
    def __init__(self, in_channels, out_channels, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(num_groups=groups, num_channels=in_channels, eps=1e-6, affine=True)
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=1, padding=1)

    def forward(self, input_tensor):
        hidden_states = self.norm1(input_tensor)
        hidden_states = F.silu(hidden_states)
        return self.conv1(hidden_states)


def get_inputs():
    return [torch.randn(BATCH, CHANNELS, HEIGHT, WIDTH)]


def get_init_inputs():
    return [CHANNELS, CHANNELS, GROUPS]
