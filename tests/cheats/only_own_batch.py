# expect: wrong
# Right at get_inputs()'s 37 rows only: the output's shape is written into the code, so
# at batch 1 it returns 37 rows, 36 of them never written (issue 16's decode-shape bug).
# The harness's derived-shape trial (leading dim 1) must say `wrong` and name the shape.
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
        out = torch.empty((37, 101), device=x.device, dtype=x.dtype)
        softmax_rows[(x.shape[0],)](x.contiguous(), out, 101, BLOCK=128)
        return out
