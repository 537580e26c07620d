# expect: rejected dynamic:other-stream (GPU only) — a side stream reached without naming it
import torch
import torch.nn as nn

_cuda = getattr(torch, "cu" + "da")
_side = getattr(_cuda, "Str" + "eam")


class ModelNew(nn.Module):
    def forward(self, x):
        out = torch.empty_like(x)
        side = _side()
        side.wait_stream(_cuda.current_stream())
        with getattr(_cuda, "str" + "eam")(side):
            e = torch.exp(x - x.amax(1, keepdim=True))
            out.copy_(e / e.sum(1, keepdim=True))
        _cuda.current_stream().wait_stream(side)
        return out
