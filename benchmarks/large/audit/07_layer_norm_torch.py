import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self, normalized_shape):
        super().__init__()
        self.ln = nn.LayerNorm(normalized_shape=normalized_shape)

    def forward(self, x):
        dims = tuple(range(1, x.dim()))
        mu = x.mean(dim=dims, keepdim=True)
        centred = x - mu
        var = (centred * centred).mean(dim=dims, keepdim=True)
        return centred * torch.rsqrt(var + 1e-5) * self.ln.weight + self.ln.bias
