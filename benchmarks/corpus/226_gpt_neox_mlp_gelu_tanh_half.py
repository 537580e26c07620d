"""GPT-NeoX's MLP in float16 (the weights made half, as `model.half()` does): dense_h_to_4h, GELU (tanh approximation), dense_4h_to_h."""

import torch
from torch import nn

CLASS = "models"

TOKENS = 4096  # test: 12
HIDDEN = 2048  # test: 32
FFN = 8192  # test: 64


class Model(nn.Module):
    def __init__(self, hidden_size, intermediate_size):
        super().__init__()
        self.dense_h_to_4h = nn.Linear(hidden_size, intermediate_size, dtype=torch.float16)
        self.dense_4h_to_h = nn.Linear(intermediate_size, hidden_size, dtype=torch.float16)
        self.act = nn.GELU(approximate="tanh")

    def forward(self, hidden_states):
        hidden_states = self.dense_h_to_4h(hidden_states)
        hidden_states = self.act(hidden_states)
        hidden_states = self.dense_4h_to_h(hidden_states)
        return hidden_states


def get_inputs():
    return [torch.randn(TOKENS, HIDDEN, dtype=torch.float16)]


def get_init_inputs():
    return [HIDDEN, FFN]
