"""GPT-2's causal mask as transformers writes it: a bool buffer (persistent=False) sliced, torch.where with finfo.min, softmax."""

import torch
import torch.nn as nn

CLASS = "models"

BATCH = 8  # test: 2
NUM_HEADS = 12  # test: 3
SEQ_LEN = 1024  # test: 37
MAX_POSITIONS = 1024  # test: 64


class Model(nn.Module):
    def __init__(self, max_positions):
        super().__init__()
        self.register_buffer(
            "bias",
            torch.tril(torch.ones((max_positions, max_positions), dtype=torch.bool)).view(
                1, 1, max_positions, max_positions
            ),
            persistent=False,
        )

    def forward(self, attn_weights):
        query_length, key_length = attn_weights.size(-2), attn_weights.size(-1)
        causal_mask = self.bias[:, :, key_length - query_length : key_length, :key_length]
        mask_value = torch.finfo(attn_weights.dtype).min
        mask_value = torch.full([], mask_value, dtype=attn_weights.dtype, device=attn_weights.device)
        attn_weights = torch.where(causal_mask, attn_weights.to(attn_weights.dtype), mask_value)
        return nn.functional.softmax(attn_weights, dim=-1)


def get_inputs():
    return [torch.randn(BATCH, NUM_HEADS, SEQ_LEN, SEQ_LEN)]


def get_init_inputs():
    return [MAX_POSITIONS]
