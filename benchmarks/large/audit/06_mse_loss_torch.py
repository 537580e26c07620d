import torch.nn as nn


class ModelNew(nn.Module):
    def forward(self, predictions, targets):
        d = predictions - targets
        return (d * d).sum() / d.numel()
