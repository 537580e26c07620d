"""SimCLR/CLIP-style similarity: F.normalize both embeddings, cosine similarity matrix over a temperature."""

import torch
import torch.nn.functional as F
from torch import nn

CLASS = "models"

N = 4096  # test: 12
DIM = 256  # test: 16
TEMPERATURE = 0.07


class Model(nn.Module):
    def forward(self, z_i, z_j):
        z_i = F.normalize(z_i, dim=1)
        z_j = F.normalize(z_j, dim=1)
        return torch.matmul(z_i, z_j.T) / TEMPERATURE


def get_inputs():
    return [torch.randn(N, DIM) * 3, torch.randn(N, DIM)]


def get_init_inputs():
    return []
