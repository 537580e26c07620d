# expect: ok — imports torch._dynamo (as torch.compile does), which wraps torch.manual_seed
import torch
import torch._dynamo  # noqa: F401
import torch.nn as nn
import triton
import triton.language as tl


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
        softmax_rows[(x.shape[0],)](x, out, x.shape[1], x.stride(0),
                                    BLOCK=triton.next_power_of_2(x.shape[1]))
        return out
