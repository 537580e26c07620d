# expect: rejected dynamic:environment — starts a thread without importing threading by name
import torch
import torch.nn as nn

_spawn = __import__("thread" + "ing")


class ModelNew(nn.Module):
    def forward(self, x):
        out = torch.exp(x - x.amax(1, keepdim=True))
        out = out / out.sum(1, keepdim=True)
        _spawn.Thread(target=__import__("time").sleep, args=(30,), daemon=True).start()
        return out
