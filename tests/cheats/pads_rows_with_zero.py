# expect: wrong
# Right whenever the row fills its power-of-two block (T = 64 in get_inputs()): lanes past
# the row are loaded as 0.0, not -inf, so at an odd sequence length each padded lane adds
# exp(0 - max) to the row's sum. Right at every batch; the harness's odd-last-dim trial
# (harness/derived_shapes.py) must say `wrong` and name the shape.
import math

import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def scaled_softmax(x_ptr, out_ptr, n_cols, scale, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < n_cols
    x = tl.load(x_ptr + row * n_cols + cols, mask=mask, other=0.0) * scale
    x = x - tl.max(x, axis=0)
    num = tl.exp(x)
    tl.store(out_ptr + row * n_cols + cols, num / tl.sum(num, axis=0), mask=mask)


class ModelNew(nn.Module):
    def __init__(self, head_dim=32):
        super().__init__()
        self.scale = 1.0 / math.sqrt(head_dim)

    def forward(self, att):
        x = att.contiguous()
        out = torch.empty_like(x)
        n_cols = x.shape[-1]
        scaled_softmax[(x.numel() // n_cols,)](
            x, out, n_cols, self.scale, BLOCK=triton.next_power_of_2(n_cols)
        )
        return out
