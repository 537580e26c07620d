# expect: ok, flag shape-specific
# Built for 37 rows and says so: `kw_accepts` declines every other shape, so applied
# code runs the original PyTorch there. Verified at its own shape; the result records
# which shapes it serves.
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def softmax_rows(x_ptr, out_ptr, n_cols, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < n_cols
    x = tl.load(x_ptr + row * n_cols + cols, mask=mask, other=-float("inf"))
    x = x - tl.max(x, axis=0)
    num = tl.exp(x)
    tl.store(out_ptr + row * n_cols + cols, num / tl.sum(num, axis=0), mask=mask)


class ModelNew(nn.Module):
    def forward(self, x):
        out = torch.empty(37, 101, device=x.device)
        softmax_rows[(37,)](x.contiguous(), out, 101, BLOCK=128)
        return out


def kw_accepts(x):
    return tuple(x.shape) == (37, 101)
