# expect: ok distribution-skipped:signed (problem: log_rand) — honest; signed inputs are outside log's domain
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def log(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    x = tl.load(x_ptr + offsets, mask=mask, other=1.0)
    tl.store(out_ptr + offsets, tl.log(x), mask=mask)


class ModelNew(nn.Module):
    def forward(self, x):
        x = x.contiguous()
        out = torch.empty_like(x)
        log[(triton.cdiv(x.numel(), 256),)](x, out, x.numel(), BLOCK=256)
        return out
