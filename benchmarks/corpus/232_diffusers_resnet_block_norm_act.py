"""diffusers' ResnetBlock2D front: GroupNorm(32), SiLU, 3x3 conv, time embedding added per channel."""

import torch
import torch.nn.functional as F
from torch import nn

CLASS = "models"

BATCH = 4  # test: 2
CHANNELS = 320  # test: 64
SIZE = 64  # test: 6
TEMB = 1280  # test: 16


class Model(nn.Module):
    def __init__(self, in_channels, temb_channels, groups=32, eps=1e-6):
        super().__init__()
        self.norm1 = torch.nn.GroupNorm(num_groups=groups, num_channels=in_channels, eps=eps, affine=True)
        self.conv1 = nn.Conv2d(in_channels, in_channels, kernel_size=3, stride=1, padding=1)
        self.time_emb_proj = nn.Linear(temb_channels, in_channels)
        self.nonlinearity = nn.SiLU()

    def forward(self, input_tensor, temb):
        hidden_states = input_tensor
        hidden_states = self.norm1(hidden_states)
        hidden_states = self.nonlinearity(hidden_states)
        hidden_states = self.conv1(hidden_states)
        temb = self.nonlinearity(temb)
        temb = self.time_emb_proj(temb)[:, :, None, None]
        return hidden_states + temb


def get_inputs():
    return [torch.randn(BATCH, CHANNELS, SIZE, SIZE), torch.randn(BATCH, TEMB)]


def get_init_inputs():
    return [CHANNELS, TEMB]
