# expect (GPU only): rejected dynamic:persisting-l2 — sets aside L2 for persisting lines
# on every call, so its inputs would survive timing's L2 flush
import torch
import torch.nn as nn
import triton
import triton.language as tl

_driver = getattr(__import__("cty" + "pes"), "CDLL")("libcuda.so.1")


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
        _driver.cuCtxSetLimit(0x06, 4 << 20)  # CU_LIMIT_PERSISTING_L2_CACHE_SIZE: 4 MiB
        x = x.contiguous()
        out = torch.empty_like(x)
        softmax_rows[(x.shape[0],)](x, out, x.shape[1], x.stride(0),
                                    BLOCK=triton.next_power_of_2(x.shape[1]))
        return out
