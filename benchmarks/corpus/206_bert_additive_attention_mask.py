"""BERT's extended attention mask from an integer mask: (1 - mask) * finfo.min added to the scores, softmax."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "models"

BATCH = 32  # test: 2
NUM_HEADS = 12  # test: 3
SEQ_LEN = 512  # test: 9


class Model(nn.Module):
    def forward(self, attention_scores, attention_mask):
        extended = attention_mask[:, None, None, :].to(attention_scores.dtype)
        extended = (1.0 - extended) * torch.finfo(attention_scores.dtype).min
        return F.softmax(attention_scores + extended, dim=-1)


def get_inputs():
    scores = torch.randn(BATCH, NUM_HEADS, SEQ_LEN, SEQ_LEN)
    return [scores, torch.randint(0, 2, (BATCH, SEQ_LEN))]


def get_init_inputs():
    return []
