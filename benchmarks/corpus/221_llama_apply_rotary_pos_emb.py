"""LLaMA's apply_rotary_pos_emb: q and k rotated by cos/sin passed in, unsqueezed on the heads dimension."""

import torch
from torch import nn

CLASS = "models"

BATCH = 4  # test: 2
NUM_HEADS = 32  # test: 3
SEQ_LEN = 1024  # test: 10
HEAD_DIM = 128  # test: 8


def rotate_half(x):
    """Rotates half the hidden dims of the input."""
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_pos_emb(q, k, cos, sin, unsqueeze_dim=1):
    cos = cos.unsqueeze(unsqueeze_dim)
    sin = sin.unsqueeze(unsqueeze_dim)
    q_embed = (q * cos) + (rotate_half(q) * sin)
    k_embed = (k * cos) + (rotate_half(k) * sin)
    return q_embed, k_embed


class Model(nn.Module):
    def forward(self, query_states, key_states, cos, sin):
        return apply_rotary_pos_emb(query_states, key_states, cos, sin)


def get_inputs():
    q = torch.randn(BATCH, NUM_HEADS, SEQ_LEN, HEAD_DIM)
    k = torch.randn(BATCH, NUM_HEADS, SEQ_LEN, HEAD_DIM)
    angles = torch.rand(BATCH, SEQ_LEN, HEAD_DIM) * 6.28
    return [q, k, angles.cos(), angles.sin()]


def get_init_inputs():
    return []
