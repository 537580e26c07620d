"""cuDNN for the convolution (PyTorch's own precision), one Triton pass for bias·relu·+0.1."""

import torch
import torch.nn as nn
import torch.nn.functional as F
import triton
import triton.language as tl


@triton.jit
def bias_relu_shift(y_ptr, b_ptr, n, hw, channels, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    y = tl.load(y_ptr + offs, mask=mask)
    b = tl.load(b_ptr + (offs // hw) % channels, mask=mask)
    tl.store(y_ptr + offs, tl.maximum(y + b, 0.0) + 0.1, mask=mask)


class ModelNew(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)

    def forward(self, x):
        y = F.conv2d(x, self.conv.weight, None, padding=1)
        n = y.numel()
        bias_relu_shift[(triton.cdiv(n, 2048),)](
            y, self.conv.bias, n, y.shape[2] * y.shape[3], y.shape[1], BLOCK=2048, num_warps=8
        )
        return y
