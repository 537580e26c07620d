"""Flywheel pair (issue 22), second problem: the same log-softmax over a
49152-token vocabulary (StarCoder's), long rows. A row no longer fits one
block: on an H200 A's one-block skill started this search at 1.09x eager
against the default's 1.30x (issue 22), the negative transfer this pair checks."""

import torch
import torch.nn as nn
import torch.nn.functional as F

TOKENS = 2048  # test: 5
VOCAB = 49152  # test: 700


class Model(nn.Module):
    def forward(self, logits):
        return F.log_softmax(logits, dim=-1)


def get_inputs():
    return [torch.randn(TOKENS, VOCAB)]


def get_init_inputs():
    return []
