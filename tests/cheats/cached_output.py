# expect: wrong — remembers the first answer and replays it
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
        self.memo = None

    def forward(self, x):
        if self.memo is None:
            e = torch.exp(x - x.amax(1, keepdim=True))
            self.memo = e / e.sum(1, keepdim=True)
        return self.memo.clone()
