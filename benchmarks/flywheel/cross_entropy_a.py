"""Flywheel pair, first problem: cross entropy over a language model's vocabulary
(fp32 logits, 32000 classes, as in Llama 2's tokenizer). The loss template's
default was set on 1000-class rows (bench problem 22); rows 32 times longer
are another regime, and what suits them is what a skill should carry."""

import torch
import torch.nn as nn
import torch.nn.functional as F

TOKENS = 4096  # test: 9
VOCAB = 32000  # test: 301


class Model(nn.Module):
    def forward(self, logits, targets):
        return F.cross_entropy(logits, targets)


def get_inputs():
    return [torch.randn(TOKENS, VOCAB), torch.randint(0, VOCAB, (TOKENS,))]


def get_init_inputs():
    return []
