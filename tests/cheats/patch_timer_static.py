# expect: rejected static:monkey-patch — a patched clock makes any kernel fast
import time
import torch
import torch.nn as nn

time.perf_counter = lambda: 0.0


class ModelNew(nn.Module):
    def forward(self, x):
        out = torch.exp(x - x.amax(1, keepdim=True))
        return out / out.sum(1, keepdim=True)
