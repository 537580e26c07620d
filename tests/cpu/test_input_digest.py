"""A trial's inputs are checked unchanged by digest (harness/verify.py `input_digests`):
any write into them shows, bit for bit, at any size, dtype or layout, and an input
left alone never looks written."""

from __future__ import annotations

import pytest
import torch
from kernelwright.harness import verify

DTYPES = [
    torch.float32,
    torch.float64,
    torch.float16,
    torch.bfloat16,
    torch.int64,
    torch.int32,
    torch.int8,
    torch.uint8,
    torch.bool,
    torch.complex64,
]


def _tensor(dtype: torch.dtype, shape=(37, 129)) -> torch.Tensor:
    torch.manual_seed(0)
    if dtype == torch.bool:
        return torch.rand(shape) > 0.5
    if dtype.is_floating_point or dtype.is_complex:
        return torch.randn(shape, dtype=dtype)
    return torch.randint(0, 100, shape, dtype=dtype)


def _written(x: torch.Tensor, write) -> bool:
    digests = verify.input_digests([x, 3, None])
    write(x)
    return not verify.inputs_unchanged([x, 3, None], digests)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_one_flipped_bit_anywhere_shows(dtype):
    x = _tensor(dtype)
    bytes_ = x.view(-1).view(torch.uint8) if dtype != torch.bool else x.view(torch.uint8)
    for position in (0, bytes_.numel() // 2, bytes_.numel() - 1):
        assert _written(x, lambda t, p=position: bytes_.view(-1)[p].bitwise_xor_(1))
    assert not _written(x, lambda t: None)


def test_two_values_swapped_show():
    x = _tensor(torch.float32)

    def swap(t):
        first, second = t[3, 5].item(), t[20, 100].item()
        t[3, 5], t[20, 100] = second, first

    assert _written(x, swap)


def test_bytes_not_values_are_compared():
    x = torch.tensor([0.0, float("nan"), 1.0])
    assert not _written(x, lambda t: None)  # NaN is its own bytes, unlike NaN == NaN
    assert _written(x, lambda t: t[0].fill_(-0.0))  # -0.0 == 0.0, but other bytes
    y = torch.tensor([float("nan")])
    assert _written(y, lambda t: t.view(torch.int32).add_(1))  # another NaN payload


def test_a_permuted_input_is_read_in_its_own_order_and_a_write_shows():
    x = _tensor(torch.float32, (8, 16, 24)).permute(2, 0, 1)
    assert not x.is_contiguous()
    assert not _written(x, lambda t: None)
    assert _written(x, lambda t: t[23, 7, 15].add_(1e-3))


def test_shape_or_dtype_changed_in_place_shows():
    assert _written(_tensor(torch.float32), lambda t: t.resize_(37 * 129 - 1))
    x = _tensor(torch.float32)
    digests = verify.input_digests([x])
    assert not verify.inputs_unchanged([x.view(torch.int32)], digests)


def test_a_write_in_the_last_of_many_chunks_shows(monkeypatch):
    monkeypatch.setattr(verify, "CHUNK_ELEMENTS", 1000)
    x = _tensor(torch.float64, (300, 170))  # float64: words are half a chunk's elements
    assert not _written(x, lambda t: None)
    assert _written(x, lambda t: t[-1, -1].mul_(-1))
    assert _written(x, lambda t: t[150, 3].add_(1e-12))
