"""Flywheel pair (issue 22), first problem: a reduction over many short rows.
A mixture-of-experts router's per-token total over 256 experts' scores
(DeepSeek-V3 routes over 256): 1M tokens."""

import torch
import torch.nn as nn

TOKENS = 1048576  # test: 17
EXPERTS = 256  # test: 30


class Model(nn.Module):
    def forward(self, scores):
        return scores.sum(dim=-1)


def get_inputs():
    return [torch.randn(TOKENS, EXPERTS)]


def get_init_inputs():
    return []
