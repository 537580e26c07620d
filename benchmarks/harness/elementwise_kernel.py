"""gelu(x)·2+1 fused: one read and one write of x (2·N·4 bytes)."""

import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def gelu_affine(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask)
    y = 0.5 * x * (1.0 + tl.math.erf(x * 0.7071067811865476))
    tl.store(out_ptr + offs, y * 2.0 + 1.0, mask=mask)


class ModelNew(nn.Module):
    def forward(self, x):
        x = x.contiguous()
        out = torch.empty_like(x)
        n = x.numel()
        gelu_affine[(triton.cdiv(n, 2048),)](x, out, n, BLOCK=2048, num_warps=8)
        return out
