# expect: ok — a Triton first stage writes per-block partial sums; torch's own sum adds the few partials up
import math

import torch
import torch.nn as nn
import triton
import triton.language as tl

CHUNK = 16  # rows of the reduced dim each program adds
BLOCK = 64


@triton.jit
def partial_sums(x_ptr, out_ptr, R, inner, n_chunks, CHUNK: tl.constexpr, BLOCK: tl.constexpr):
    o = tl.program_id(0).to(tl.int64)
    c = tl.program_id(1)
    cols = tl.program_id(2) * BLOCK + tl.arange(0, BLOCK)
    in_row = cols < inner
    acc = tl.zeros([BLOCK], dtype=tl.float32)
    for r in range(c * CHUNK, tl.minimum(c * CHUNK + CHUNK, R)):
        acc += tl.load(x_ptr + (o * R + r) * inner + cols, mask=in_row, other=0.0)
    tl.store(out_ptr + (o * n_chunks + c) * inner + cols, acc, mask=in_row)


class ModelNew(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        d = self.dim % x.dim()
        x = x.contiguous()
        outer, R, inner = math.prod(x.shape[:d]), x.shape[d], math.prod(x.shape[d + 1 :])
        n_chunks = triton.cdiv(R, CHUNK)
        partials = torch.empty(outer, n_chunks, inner, device=x.device, dtype=torch.float32)
        grid = (outer, n_chunks, triton.cdiv(inner, BLOCK))
        partial_sums[grid](x, partials, R, inner, n_chunks, CHUNK=CHUNK, BLOCK=BLOCK)
        shape = list(x.shape)
        shape[d] = 1
        return partials.sum(dim=1).view(shape).to(x.dtype)
