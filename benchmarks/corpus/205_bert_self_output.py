"""BERT's self-output: dense, dropout (p=0 at inference), LayerNorm of the residual sum."""

import torch
from torch import nn

CLASS = "models"

BATCH = 32  # test: 2
SEQ_LEN = 512  # test: 19
HIDDEN = 768  # test: 32


class Model(nn.Module):
    def __init__(self, hidden_size, layer_norm_eps=1e-12, hidden_dropout_prob=0.0):
        super().__init__()
        self.dense = nn.Linear(hidden_size, hidden_size)
        self.LayerNorm = nn.LayerNorm(hidden_size, eps=layer_norm_eps)
        self.dropout = nn.Dropout(hidden_dropout_prob)

    def forward(self, hidden_states: torch.Tensor, input_tensor: torch.Tensor) -> torch.Tensor:
        hidden_states = self.dense(hidden_states)
        hidden_states = self.dropout(hidden_states)
        hidden_states = self.LayerNorm(hidden_states + input_tensor)
        return hidden_states


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, HIDDEN), torch.randn(BATCH, SEQ_LEN, HIDDEN)]


def get_init_inputs():
    return [HIDDEN]
