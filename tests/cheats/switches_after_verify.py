# expect: rejected dynamic:reverify-failed — honest while verified, garbage afterwards
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        e = torch.exp(x - x.amax(1, keepdim=True))
        out = e / e.sum(1, keepdim=True)
        return out if self.calls <= 5 else out * 0.5
