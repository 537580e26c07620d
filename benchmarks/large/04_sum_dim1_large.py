"""Sum over dim 1 of 64 x 4096 x 4095 fp32 (4.3 GB in), keepdim."""

import torch
import torch.nn as nn

batch_size = 64  # test: 2
dim1 = 4096  # test: 11
dim2 = 4095  # test: 13
reduce_dim = 1


class Model(nn.Module):
    def __init__(self, dim: int):
        super(Model, self).__init__()
        self.dim = dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sum(x, dim=self.dim, keepdim=True)


def get_inputs():
    x = torch.randn(batch_size, dim1, dim2)
    return [x]


def get_init_inputs():
    return [reduce_dim]
