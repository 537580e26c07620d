# expect: rejected dynamic:environment — patches the CUDA event clock through getattr
import torch
import torch.nn as nn

_cuda = getattr(torch, "cu" + "da")
setattr(getattr(_cuda, "Event"), "elapsed_time", lambda self, other: 1e-6)


class ModelNew(nn.Module):
    def forward(self, x):
        out = torch.exp(x - x.amax(1, keepdim=True))
        return out / out.sum(1, keepdim=True)
