# expect: compile_error — tl.arange needs a power-of-two range
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def bad(x_ptr, out_ptr, n):
    cols = tl.arange(0, 101)
    tl.store(out_ptr + cols, tl.load(x_ptr + cols))


class ModelNew(nn.Module):
    def forward(self, x):
        out = torch.empty_like(x)
        bad[(1,)](x, out, x.numel())
        return out
