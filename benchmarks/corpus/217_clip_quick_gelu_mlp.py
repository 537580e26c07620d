"""CLIP's text MLP as transformers writes it: fc1, QuickGELU (x * sigmoid(1.702 * x)), fc2."""

import torch
from torch import nn

CLASS = "models"

BATCH = 16  # test: 2
SEQ_LEN = 77  # test: 7
HIDDEN = 512  # test: 24
INTERMEDIATE = 2048  # test: 40


class QuickGELUActivation(nn.Module):
    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return input * torch.sigmoid(1.702 * input)


class Model(nn.Module):
    def __init__(self, hidden_size, intermediate_size):
        super().__init__()
        self.activation_fn = QuickGELUActivation()
        self.fc1 = nn.Linear(hidden_size, intermediate_size)
        self.fc2 = nn.Linear(intermediate_size, hidden_size)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        hidden_states = self.fc1(hidden_states)
        hidden_states = self.activation_fn(hidden_states)
        hidden_states = self.fc2(hidden_states)
        return hidden_states


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, HIDDEN)]


def get_init_inputs():
    return [HIDDEN, INTERMEDIATE]
