"""Flywheel pair, second problem: the same loss over another vocabulary
(50257 classes, GPT-2's) with half the tokens."""

import torch
import torch.nn as nn
import torch.nn.functional as F

TOKENS = 2048  # test: 7
VOCAB = 50257  # test: 433


class Model(nn.Module):
    def forward(self, logits, targets):
        return F.cross_entropy(logits, targets)


def get_inputs():
    return [torch.randn(TOKENS, VOCAB), torch.randint(0, VOCAB, (TOKENS,))]


def get_init_inputs():
    return []
