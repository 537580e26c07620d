"""cuBLAS for the fp32 product (no TF32, as the reference), one Triton pass for bias·scale·relu."""

import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def bias_scale_relu(y_ptr, b_ptr, n, cols, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    y = tl.load(y_ptr + offs, mask=mask)
    b = tl.load(b_ptr + offs % cols, mask=mask)
    tl.store(y_ptr + offs, tl.maximum((y + b) * 0.5, 0.0), mask=mask)


class ModelNew(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.fc = nn.Linear(in_features, out_features)

    def forward(self, x):
        y = torch.mm(x, self.fc.weight.t())
        n = y.numel()
        bias_scale_relu[(triton.cdiv(n, 2048),)](
            y, self.fc.bias, n, y.shape[1], BLOCK=2048, num_warps=8
        )
        return y
