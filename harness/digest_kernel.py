"""Worker side: one piece of an input digest (harness/verify.py `_digest`) in one pass.

`_digest`'s PyTorch ops read a piece's words, write their products with the position
weights and read those again: about four passes over every input, before the
candidate runs and again after, in the runner and in the judge. On an H200 that was
0.4 s of a 6.4 GB softmax's verification (scripts/trial_step_times.py,
benchmarks/results/h200-2026-12-04-trial-steps). This kernel reads each word once,
makes its weight from its position in registers, and writes one row of two partial
sums per block; PyTorch sums the rows. The arithmetic is `_digest`'s (int32 products
wrapping, int64 sums wrapping), so the two give the same digest:
tests/cpu/test_digest_kernel.py checks that under the Triton interpreter.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

BLOCK = 4096
# The words the kernel reads: int32, and the narrower words it widens as `_digest` does.
WORD_DTYPES = (torch.int32, torch.int16, torch.uint8)


@triton.jit(do_not_specialize=["n", "key0", "key1"])
def _piece_kernel(words_ptr, out_ptr, n, key0, key1, BLOCK: tl.constexpr):
    block = tl.program_id(0)
    positions = block.to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    inside = positions < n
    words = tl.load(words_ptr + positions, mask=inside, other=0).to(tl.int32)
    # `_position_weights`: ((i * key0) ^ ((i * key0) >> 29)) * key1, its high word, odd
    hashed = positions * key0
    hashed = (hashed ^ (hashed >> 29)) * key1
    weights = (hashed >> 32).to(tl.int32) | 1
    plain = tl.sum(words.to(tl.int64), axis=0)
    weighed = tl.sum((words * weights).to(tl.int64), axis=0)
    tl.store(out_ptr + block * 2, plain)
    tl.store(out_ptr + block * 2 + 1, weighed)


def usable(words: torch.Tensor) -> bool:
    return words.is_cuda and words.dtype in WORD_DTYPES


def piece_sums(words: torch.Tensor, keys: tuple[int, int]) -> torch.Tensor:
    """The piece's two sums (int64, on its device): its words, and its words times their
    position weights. `words`: flat and contiguous; `keys`: `_digest`'s hash keys."""
    n = words.numel()
    blocks = triton.cdiv(n, BLOCK)
    rows = torch.empty((blocks, 2), dtype=torch.int64, device=words.device)
    _piece_kernel[(blocks,)](words, rows, n, keys[0], keys[1], BLOCK=BLOCK)
    return rows.sum(0)


def warm(device: torch.device, keys: tuple[int, int]) -> None:
    """Compiles the int32 variant (fp32 inputs) while a spare worker waits for its
    request (harness/worker.py), as compare_kernel.warm does."""
    piece_sums(torch.zeros(2, dtype=torch.int32, device=device), keys)
