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
        # 6 trials at the problem's shape, then one at each derived shape (batch 1 and 3,
        # and batch 1 at an odd row length: harness/derived_shapes.py)
        return out if self.calls <= 9 else out * 0.5
