"""nn.LayerNorm over (64, 256, 256) of a 64 x 64 x 256 x 256 fp32 tensor (1.1 GB)."""

import torch
import torch.nn as nn

batch_size = 64  # test: 2
features = 64  # test: 3
dim1 = 256  # test: 5
dim2 = 256  # test: 7


class Model(nn.Module):
    def __init__(self, normalized_shape: tuple):
        super(Model, self).__init__()
        self.ln = nn.LayerNorm(normalized_shape=normalized_shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.ln(x)


def get_inputs():
    x = torch.randn(batch_size, features, dim1, dim2)
    return [x]


def get_init_inputs():
    return [(features, dim1, dim2)]
