"""LLaMA's RMSNorm on a bfloat16 input with its weight left in float32 (a model not cast): a float32 output."""

import torch
import torch.nn as nn

CLASS = "models"

BATCH = 8  # test: 2
SEQ_LEN = 4096  # test: 7
HIDDEN = 4096  # test: 13


class LlamaRMSNorm(nn.Module):
    def __init__(self, hidden_size, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.variance_epsilon = eps

    def forward(self, hidden_states):
        input_dtype = hidden_states.dtype
        hidden_states = hidden_states.to(torch.float32)
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.variance_epsilon)
        return self.weight * hidden_states.to(input_dtype)


class Model(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.norm = LlamaRMSNorm(hidden_size)

    def forward(self, hidden_states):
        return self.norm(hidden_states)


def get_inputs():
    return [torch.randn(BATCH, SEQ_LEN, HIDDEN, dtype=torch.bfloat16)]


def get_init_inputs():
    return [HIDDEN]
