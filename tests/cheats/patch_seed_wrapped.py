# expect: rejected dynamic:environment — replaces torch.manual_seed with a wrapper that looks like dynamo's
import torch
import torch.nn as nn

_random = getattr(torch, "random")


def _fixed_seed(seed):
    return _random.manual_seed(0)  # every trial draws the same inputs


vars(__import__("tor" + "ch"))["manual_" + "seed"] = torch._disable_dynamo(_fixed_seed)


class ModelNew(nn.Module):
    def forward(self, x):
        out = torch.exp(x - x.amax(1, keepdim=True))
        return out / out.sum(1, keepdim=True)
