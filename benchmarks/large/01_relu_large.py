"""ReLU over 4096 x 393216 fp32 (6.4 GB in, 6.4 GB out), KernelBench level-1 size."""

import torch
import torch.nn as nn

batch_size = 4096  # test: 3
dim = 393216  # test: 37


class Model(nn.Module):
    """Simple model that performs a ReLU activation."""

    def __init__(self):
        super(Model, self).__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x)


def get_inputs():
    x = torch.randn(batch_size, dim)
    return [x]


def get_init_inputs():
    return []
