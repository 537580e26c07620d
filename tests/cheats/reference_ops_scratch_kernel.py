# expect: rejected dynamic:reference-ops — a Triton kernel runs on a scratch buffer; x.softmax(-1) is the answer
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def scale_in_place(p, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    tl.store(p + offs, tl.load(p + offs) * 1.0)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("scratch", torch.zeros(16))

    def forward(self, x):
        scale_in_place[(1,)](self.scratch.to(x.device), BLOCK=16)
        return x.softmax(-1)
