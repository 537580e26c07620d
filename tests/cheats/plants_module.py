# expect: ok — writes a module into its working directory; it must not be importable, or a module the judge imports later could be the candidate's
import importlib.util
import os

import torch
import torch.nn as nn
import triton
import triton.language as tl

# The worker's working directory is its private folder, which the runner can write. A
# Python that puts it first on sys.path (`python -m` does, without -P) would import this
# file for any top-level module the judge imports after the runner has run.
with open(os.path.join(os.getcwd(), "kw_planted_probe.py"), "w") as planted:
    planted.write("PLANTED = True\n")
IMPORTABLE = importlib.util.find_spec("kw_planted_probe") is not None


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
        # wrong on purpose where the planted module was importable: the verdict says so
        return out * 2 if IMPORTABLE else out
