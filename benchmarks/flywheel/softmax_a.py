"""Flywheel pair, first problem: softmax over a language model's vocabulary
(fp32, 32000 classes). Rows this long pass the template's one-pass limit
(8192 fp32 elements), so the default streams each row twice (online
softmax); whether a one-pass block with more warps beats it on this
device is the kind of choice a skill should carry to the next vocabulary."""

import torch
import torch.nn as nn

TOKENS = 4096  # test: 9
VOCAB = 32000  # test: 301


class Model(nn.Module):
    def forward(self, logits):
        return torch.softmax(logits, dim=-1)


def get_inputs():
    return [torch.randn(TOKENS, VOCAB)]


def get_init_inputs():
    return []
