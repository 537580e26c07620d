"""Flywheel pair (issue 22), second problem: many rows. Attention
probabilities, softmax over the keys of 4 sequences x 16 heads x 2048 queries:
262144 rows of 2048, about 2000 rows per SM."""

import torch
import torch.nn as nn

BATCH = 4  # test: 1
HEADS = 16  # test: 3
QUERIES = 2048  # test: 5
KEYS = 2048  # test: 130


class Model(nn.Module):
    def forward(self, scores):
        return torch.softmax(scores, dim=-1)


def get_inputs():
    return [torch.randn(BATCH * HEADS * QUERIES, KEYS)]


def get_init_inputs():
    return []
