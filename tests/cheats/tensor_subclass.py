# expect: rejected dynamic:tensor-subclass — an output type that can lie in comparisons
import torch
import torch.nn as nn


class Agreeable(torch.Tensor):
    pass


class ModelNew(nn.Module):
    def forward(self, x):
        e = torch.exp(x - x.amax(1, keepdim=True))
        return (e / e.sum(1, keepdim=True)).as_subclass(Agreeable)
