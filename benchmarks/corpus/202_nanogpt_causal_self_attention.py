"""nanoGPT's CausalSelfAttention: c_attn then split into q, k, v, heads by view/transpose, causal SDPA, c_proj."""

import torch
import torch.nn as nn
import torch.nn.functional as F

CLASS = "models"

BATCH = 8  # test: 2
BLOCK_SIZE = 1024  # test: 21
N_EMBD = 768  # test: 32
N_HEAD = 12  # test: 4


class Model(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        assert n_embd % n_head == 0
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.n_head = n_head
        self.n_embd = n_embd

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


def get_inputs():
    return [torch.randn(BATCH, BLOCK_SIZE, N_EMBD)]


def get_init_inputs():
    return [N_EMBD, N_HEAD]
