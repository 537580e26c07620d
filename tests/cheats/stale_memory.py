# expect: wrong — returns unwritten memory hoping it still holds the reference's answer
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def forward(self, x):
        return torch.empty_like(x)
