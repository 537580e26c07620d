"""Triplet margin loss of anchor, positive and negative embeddings."""

import torch
import torch.nn as nn

CLASS = "single"

BATCH_SIZE = 32768  # test: 5
EMBED_DIM = 4096  # test: 19


class Model(nn.Module):
    def __init__(self, margin=1.0):
        super().__init__()
        self.loss_fn = nn.TripletMarginLoss(margin=margin)

    def forward(self, anchor, positive, negative):
        return self.loss_fn(anchor, positive, negative)


def get_inputs():
    shape = (BATCH_SIZE, EMBED_DIM)
    return [torch.randn(shape), torch.randn(shape), torch.randn(shape)]


def get_init_inputs():
    return [1.0]
