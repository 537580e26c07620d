# expect: ok (judge:candidate-processes-ended) — a correct kernel whose module starts a `setsid` process that outlives the runner; the judge ends it before it decides
import os
import time

import torch
import torch.nn as nn
import triton
import triton.language as tl

# Out of the runner's session, so ending the runner's process group does not reach it:
# while it lived it could rewrite files the judge reads (a Triton cache entry, the
# compiler's temporary files) in the middle of the judge's replay.
if os.fork() == 0:
    os.setsid()
    time.sleep(300)
    os._exit(0)


@triton.jit
def softmax_rows(x_ptr, out_ptr, n_cols, stride, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < n_cols
    x = tl.load(x_ptr + row * stride + cols, mask=mask, other=-float("inf"))
    x = x - tl.max(x, axis=0)
    num = tl.exp(x)
    tl.store(out_ptr + row * stride + cols, num / tl.sum(num, axis=0), mask=mask)


class ModelNew(nn.Module):
    def forward(self, x):
        x = x.contiguous()
        out = torch.empty_like(x)
        softmax_rows[(x.shape[0],)](
            x, out, x.shape[1], x.stride(0), BLOCK=triton.next_power_of_2(x.shape[1])
        )
        return out
