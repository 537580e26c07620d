"""Rotary position embedding as Llama's modelling code writes it: `rotate_half` by
slicing and `torch.cat`, cos/sin broadcast over the heads with `unsqueeze`, and a
rotary module whose cache is built in `__init__` and sliced per call."""

import torch
import torch.nn as nn


def rotate_half(x):
    """Rotates half the hidden dims of the input."""
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_pos_emb(q, cos, sin, unsqueeze_dim=1):
    cos = cos.unsqueeze(unsqueeze_dim)
    sin = sin.unsqueeze(unsqueeze_dim)
    # kernelwright: q: float32[2, 4, 16, 32], cos: float32[2, 1, 16, 32], sin: float32[2, 1, 16, 32]
    q_embed = (q * cos) + (rotate_half(q) * sin)
    return q_embed


class LlamaRotaryEmbedding(nn.Module):
    def __init__(self, dim, max_position_embeddings=2048, base=10000):
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
        t = torch.arange(max_position_embeddings).float()
        freqs = torch.outer(t, inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos_cached", emb.cos(), persistent=False)
        self.register_buffer("sin_cached", emb.sin(), persistent=False)

    def forward(self, x, position_ids):
        cos = self.cos_cached[position_ids]
        sin = self.sin_cached[position_ids]
        return cos.to(x.dtype), sin.to(x.dtype)


if __name__ == "__main__":
    torch.manual_seed(0)
    sums = []
    rotary = LlamaRotaryEmbedding(32)
    for batch, heads, seq in ((2, 4, 16), (1, 4, 16), (3, 4, 7)):
        q = torch.randn(batch, heads, seq, 32)
        position_ids = torch.arange(seq).expand(batch, seq)
        cos, sin = rotary(q, position_ids)
        sums.append(round(float(apply_rotary_pos_emb(q, cos, sin).sum()), 4))
    print(sums)
