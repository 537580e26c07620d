"""GPT-J's rotary, interleaved: rotate_every_two via stack and flatten, sin/cos repeat_interleave'd."""

import torch
from torch import nn

CLASS = "models"

BATCH = 4  # test: 2
SEQ = 1024  # test: 6
HEADS = 16  # test: 2
ROT = 64  # test: 8


def rotate_every_two(x):
    x1 = x[:, :, :, ::2]
    x2 = x[:, :, :, 1::2]
    x = torch.stack((-x2, x1), dim=-1)
    return x.flatten(-2)


class Model(nn.Module):
    def forward(self, tensor, sin, cos):
        sin = torch.repeat_interleave(sin[:, :, None, :], 2, 3)
        cos = torch.repeat_interleave(cos[:, :, None, :], 2, 3)
        return (tensor * cos) + (rotate_every_two(tensor) * sin)


def get_inputs():
    angles = torch.rand(BATCH, SEQ, ROT // 2) * 6.28
    return [torch.randn(BATCH, SEQ, HEADS, ROT), angles.sin(), angles.cos()]


def get_init_inputs():
    return []
