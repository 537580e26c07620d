"""Flywheel pair, second problem: the same softmax over another vocabulary
(32128 classes, T5's) with twice the tokens. Its rows, like the first
problem's, are a multiple of 16 bytes long, so every row starts aligned for
vector loads; 30522 classes (BERT's) did not, and every kernel read slower
(benchmarks/results/h200-2026-12-01-flywheel-softmax-vocab)."""

import torch
import torch.nn as nn

TOKENS = 8192  # test: 7
VOCAB = 32128  # test: 433


class Model(nn.Module):
    def forward(self, logits):
        return torch.softmax(logits, dim=-1)


def get_inputs():
    return [torch.randn(TOKENS, VOCAB)]


def get_init_inputs():
    return []
