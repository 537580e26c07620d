"""ViT's patch embedding: a strided convolution, then flatten(2).transpose(1, 2) into tokens."""

import torch
import torch.nn as nn

CLASS = "models"

BATCH = 64  # test: 2
IMG_SIZE = 224  # test: 28
PATCH_SIZE = 16  # test: 7
IN_CHANS = 3  # test: 3
EMBED_DIM = 768  # test: 20


class Model(nn.Module):
    def __init__(self, img_size, patch_size, in_chans, embed_dim):
        super().__init__()
        self.num_patches = (img_size // patch_size) ** 2
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        B, C, H, W = x.shape
        x = self.proj(x).flatten(2).transpose(1, 2)  # BCHW -> BNC
        return x


def get_inputs():
    return [torch.randn(BATCH, IN_CHANS, IMG_SIZE, IMG_SIZE)]


def get_init_inputs():
    return [IMG_SIZE, PATCH_SIZE, IN_CHANS, EMBED_DIM]
