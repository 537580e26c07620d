"""LLaMA's repeat_kv for grouped-query attention: expand a new dim, reshape heads (a pure copy)."""

import torch
import torch.nn as nn

CLASS = "models"

BATCH = 4  # test: 2
KV_HEADS = 8  # test: 2
SEQ_LEN = 4096  # test: 19
HEAD_DIM = 128  # test: 8
N_REP = 4  # test: 3


def repeat_kv(hidden_states: torch.Tensor, n_rep: int) -> torch.Tensor:
    batch, num_key_value_heads, slen, head_dim = hidden_states.shape
    if n_rep == 1:
        return hidden_states
    hidden_states = hidden_states[:, :, None, :, :].expand(batch, num_key_value_heads, n_rep, slen, head_dim)
    return hidden_states.reshape(batch, num_key_value_heads * n_rep, slen, head_dim)


class Model(nn.Module):
    def __init__(self, n_rep):
        super().__init__()
        self.num_key_value_groups = n_rep

    def forward(self, key_states):
        return repeat_kv(key_states, self.num_key_value_groups)


def get_inputs():
    return [torch.randn(BATCH, KV_HEADS, SEQ_LEN, HEAD_DIM)]


def get_init_inputs():
    return [N_REP]
