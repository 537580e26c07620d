"""Rotary position embedding as transformers writes it: cos/sin tables in buffers with persistent=False, rotate_half."""

import torch
import torch.nn as nn

CLASS = "models"

BATCH = 4  # test: 2
NUM_HEADS = 32  # test: 3
SEQ_LEN = 2048  # test: 45
HEAD_DIM = 128  # test: 16
MAX_POSITIONS = 4096  # test: 64


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


class Model(nn.Module):
    def __init__(self, head_dim, max_position_embeddings, base=10000.0):
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, head_dim, 2).float() / head_dim))
        t = torch.arange(max_position_embeddings).float()
        freqs = torch.outer(t, inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos_cached", emb.cos(), persistent=False)
        self.register_buffer("sin_cached", emb.sin(), persistent=False)

    def forward(self, q):
        seq_len = q.shape[-2]
        cos = self.cos_cached[:seq_len][None, None, :, :]
        sin = self.sin_cached[:seq_len][None, None, :, :]
        return (q * cos) + (rotate_half(q) * sin)


def get_inputs():
    return [torch.randn(BATCH, NUM_HEADS, SEQ_LEN, HEAD_DIM)]


def get_init_inputs():
    return [HEAD_DIM, MAX_POSITIONS]
