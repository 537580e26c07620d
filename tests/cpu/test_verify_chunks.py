"""Outputs are compared in chunks: the verdicts and statistics of a whole-tensor comparison,
with float64 scratch bounded by the chunk size rather than by the output's size."""

from __future__ import annotations

import pytest
import torch
from kernelwright.harness import verify
from torch.utils._python_dispatch import TorchDispatchMode

CHUNK = 1000  # elements: the outputs below span dozens of chunks


def _outcome(*args, **kwargs):
    """What a user reads: the Mismatch message, or the statistics of a pass."""
    try:
        stats = verify.compare(*args, **kwargs)
    except verify.Mismatch as err:
        return str(err)
    return (stats.max_abs, stats.max_rel, stats.criterion, stats.notes)


def _chunked_and_whole(monkeypatch, *args, **kwargs):
    monkeypatch.setattr(verify, "CHUNK_ELEMENTS", CHUNK)
    chunked = _outcome(*args, **kwargs)
    monkeypatch.setattr(verify, "CHUNK_ELEMENTS", 1 << 40)
    return chunked, _outcome(*args, **kwargs)


def _pair(shape=(240, 170)):
    torch.manual_seed(0)
    reference = torch.randn(shape)
    return reference.clone(), reference


def test_a_mismatch_in_the_last_chunk_is_found_and_counted(monkeypatch):
    candidate, reference = _pair()
    candidate.view(-1)[-3:] += 1.0
    chunked, whole = _chunked_and_whole(monkeypatch, candidate, reference)
    assert chunked == whole
    assert chunked.startswith("3/40800 elements differ beyond atol=rtol=0.0001")


def test_a_nan_in_a_middle_chunk_only_is_found(monkeypatch):
    candidate, reference = _pair()
    candidate.view(-1)[20_500] = float("nan")
    chunked, whole = _chunked_and_whole(monkeypatch, candidate, reference)
    assert chunked == whole == "1 NaN/Inf values where the reference has finite ones"


def test_moved_nan_positions_and_constant_outputs_are_still_wrong(monkeypatch):
    candidate, reference = _pair()
    reference.view(-1)[30_000] = float("inf")  # the candidate's stays finite there
    chunked, whole = _chunked_and_whole(monkeypatch, candidate, reference)
    assert chunked == whole == "NaN/Inf positions differ from the reference's"

    constant = torch.full_like(reference, 0.25)
    chunked, whole = _chunked_and_whole(monkeypatch, constant, _pair()[1])
    assert chunked == whole == "output is constant (0.25) where the reference's is not"


def test_a_close_non_contiguous_output_passes_with_the_same_statistics(monkeypatch):
    candidate, reference = _pair()
    candidate = (candidate + 1e-6 * torch.randn_like(candidate)).t().contiguous().t()
    assert not candidate.is_contiguous()
    chunked, whole = _chunked_and_whole(monkeypatch, candidate, reference)
    assert chunked == whole
    assert 0 < chunked[0] < 1e-4 and chunked[2] == "allclose"


@pytest.mark.parametrize("accumulates", [False, True])
def test_the_float64_bounded_criterion_matches_a_whole_comparison(monkeypatch, accumulates):
    torch.manual_seed(1)
    x = torch.randn(64, 2000)
    exact = x.double().cumsum(dim=1)
    reference = x.cumsum(dim=1)
    honest = exact.float()  # rounded once: closer to float64 than PyTorch's own sum
    dropped = x[:, 1:].double().cumsum(dim=1).float()
    dropped = torch.cat([torch.zeros(64, 1), dropped], dim=1)  # the first term missing
    for candidate in (honest, dropped):
        chunked, whole = _chunked_and_whole(
            monkeypatch, candidate, reference, exact, slack=False, accumulates=accumulates
        )
        assert chunked == whole
    assert isinstance(_outcome(honest, reference, exact, slack=False), tuple)
    assert "exceeds" in whole


class _NewStorages(TorchDispatchMode):
    """Sizes of the storages the ops allocate (views of the inputs allocate none)."""

    def __init__(self, inputs):
        super().__init__()
        self.known = {t.untyped_storage().data_ptr() for t in inputs}
        self.largest = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in out if isinstance(out, (tuple, list)) else [out]:
            if isinstance(t, torch.Tensor) and t.untyped_storage().data_ptr() not in self.known:
                self.largest = max(self.largest, t.untyped_storage().nbytes())
        return out


def test_scratch_memory_is_bounded_by_the_chunk_not_the_output(monkeypatch):
    monkeypatch.setattr(verify, "CHUNK_ELEMENTS", CHUNK)
    candidate, reference = _pair((400, 250))
    candidate = candidate.t().contiguous().t()  # non-contiguous: pieces are copied, not views
    exact = reference.double()
    for ref64 in (None, exact):
        with _NewStorages([candidate, reference, exact]) as allocations:
            verify.compare(candidate, reference, ref64, slack=False, accumulates=True)
        assert 0 < allocations.largest <= CHUNK * 8  # one float64 chunk
        assert allocations.largest * 50 <= reference.numel() * 8  # a whole float64 copy


def test_an_output_just_over_one_real_chunk_is_compared_whole():
    n = verify.CHUNK_ELEMENTS + 3
    reference = torch.randn(n)
    candidate = reference.clone()
    candidate[-1] += 1.0
    with pytest.raises(verify.Mismatch, match=f"^1/{n} elements differ"):
        verify.compare(candidate, reference)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_the_finite_check_finds_a_nonfinite_element_in_the_last_chunk(monkeypatch, bad):
    """The reference's own outputs are checked finite on the first trial and in every
    distribution's domain check: whole, `torch.isfinite` made an abs() copy and three
    boolean tensors of a multi-GB output (harness/verify.py `all_finite`)."""
    monkeypatch.setattr(verify, "CHUNK_ELEMENTS", CHUNK)
    _, output = _pair((400, 250))
    output = output.t()  # non-contiguous: its pieces are strided views
    assert verify.all_finite(output)
    with _NewStorages([output]) as allocations:
        verify.all_finite(output)
    assert 0 < allocations.largest <= CHUNK * 4  # one chunk's abs() copy at most
    output[-1, -1] = bad  # the last element, row-major: the last chunk
    assert not verify.all_finite(output)
    assert verify.all_finite(torch.empty(0, 3))
