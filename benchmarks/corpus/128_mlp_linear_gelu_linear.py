"""Transformer MLP: Linear -> GELU -> Linear."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "chain"

BATCH = 8  # test: 2
SEQ_LEN = 2048  # test: 5
HIDDEN_SIZE = 1024  # test: 13
INTERMEDIATE_SIZE = 4096  # test: 37


class Model(nn.Module):
    def __init__(self, hidden_size, intermediate_size):
        super().__init__()
        self.fc1 = nn.Linear(hidden_size, intermediate_size)
        self.fc2 = nn.Linear(intermediate_size, hidden_size)

    def forward(self, hidden_states):
        hidden_states = self.fc1(hidden_states)
        hidden_states = F.gelu(hidden_states)
        hidden_states = self.fc2(hidden_states)
        return hidden_states


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, HIDDEN_SIZE)]


def get_init_inputs():
    return [HIDDEN_SIZE, INTERMEDIATE_SIZE]
