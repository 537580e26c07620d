"""Worker side: is the candidate's output the reference's, on fresh inputs?

DESIGN.md "How we know a candidate is right": >= 5 freshly seeded trials
(their input distributions are harness/distributions.py's), a second input set
at another address, KernelBench's per-dtype tolerances, candidate run first on
a poisoned allocator, inputs checksummed, constant outputs refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from kernelwright.harness import compare_kernel, digest_kernel

# How far a candidate's error against a float64 reference may exceed the
# reference's own error, where PyTorch lets the reference compute in TF32
# (cuDNN convolutions). 2× leaves room for a different but equally precise
# summation order and still fails any lower-precision path.
TF32_ERROR_FACTOR = 2.0

_TOLERANCE = {
    torch.float32: 1e-4,
    torch.float64: 1e-7,
    torch.float16: 1e-2,
    torch.bfloat16: 1e-2,
}


class Mismatch(Exception):
    """The candidate's output is not the reference's (outcome `wrong`)."""


class Cheat(Exception):
    """The candidate gamed the harness (outcome `rejected`)."""


@dataclass
class ErrorStats:
    max_abs: float = 0.0
    max_rel: float = 0.0
    criterion: str = "allclose"
    tolerance: float | None = None
    notes: list[str] = field(default_factory=list)

    def merge(self, other: ErrorStats) -> None:
        self.max_abs = max(self.max_abs, other.max_abs)
        self.max_rel = max(self.max_rel, other.max_rel)
        self.criterion = other.criterion
        self.tolerance = other.tolerance


def tolerance_for(dtype: torch.dtype) -> float:
    return _TOLERANCE.get(dtype, 0.0)


def heavy_tailed(inputs: list) -> list:
    """Same inputs with log-normally scaled magnitudes: outliers in every row, signs kept.

    Scaled in place on the scale's own tensor: one set beside the inputs, not two
    (the scale and the product), while a multi-GB input is derived."""
    out = []
    for x in inputs:
        if isinstance(x, torch.Tensor) and x.is_floating_point():
            scale = torch.randn_like(x, dtype=torch.float32).mul_(1.5).exp_()
            out.append((scale if x.dtype == torch.float32 else scale.to(x.dtype)).mul_(x))
        else:
            out.append(x)
    return out


def relocated(inputs: list, device: torch.device) -> list:
    """Copies of the inputs placed after a spacer allocation, at other addresses."""
    spacer = torch.empty(1 << 20, dtype=torch.uint8, device=device)  # noqa: F841 (kept alive)
    moved = [x.clone() if isinstance(x, torch.Tensor) else x for x in inputs]
    del spacer
    return moved


def clone_inputs(inputs: list) -> list:
    return [x.clone() if isinstance(x, torch.Tensor) else x for x in inputs]


@dataclass(frozen=True)
class InputDigest:
    """What `input_digests` keeps of one tensor input: its shape, dtype and `_digest`'s
    two sums of its bytes (an int64 tensor on its device)."""

    shape: torch.Size
    dtype: torch.dtype
    value: torch.Tensor


# Odd 64-bit constants (as signed int64): the position hash that makes a chunk's weights,
# and the multiplier that chains one chunk's sums onto the last's.
HASH_KEYS = (-7046029254386353131, -4658895280553007687)
_CHAIN_KEY = -2685821657736338717
# Words narrower than 4 bytes are widened to int32 before they are weighed.
_NARROW_WORDS = {2: torch.int16, 1: torch.uint8}
# A chunk's position weights, made once per device and chunk size.
_WEIGHTS: dict[tuple[torch.device, int], torch.Tensor] = {}


def input_digests(inputs: list) -> list[InputDigest | None]:
    """Each tensor input's digest, to tell afterwards whether anything wrote into it.

    A digest, not the byte-exact copy the trial used to keep: the copy was a second
    input set alive through every trial (6.4 GB of a softmax's evaluation) that no
    footprint needs now (harness/memory.py). It is a check on honest kernels, not a
    lock against forgers: the runner's comparison is never the verdict's, the judge
    (harness/judge.py) compares against a reference it ran on inputs no candidate saw."""
    return [
        InputDigest(x.shape, x.dtype, _digest(x)) if isinstance(x, torch.Tensor) else None
        for x in inputs
    ]


def inputs_unchanged(inputs: list, digests: list[InputDigest | None]) -> bool:
    """Compares bytes, not values: NaN == NaN here, and -0.0 differs from 0.0."""
    for x, saved in zip(inputs, digests):
        if saved is None:
            continue
        if not isinstance(x, torch.Tensor) or x.shape != saved.shape or x.dtype != saved.dtype:
            return False
        if not torch.equal(_digest(x), saved.value):
            return False
    return True


def _digest(t: torch.Tensor) -> torch.Tensor:
    """Two int64 sums over the tensor's bytes read as int32 words, row-major, chunk by
    chunk (each chunk's sums chained onto the last's by an odd multiplier, wrapping):
    the words themselves, so one changed word always changes the digest (a nonzero
    difference below 2^32 times an odd number is never 0 mod 2^64); and the words
    times odd weights drawn per position (wrapping in int32), so moved words change
    it too. About five passes over the bytes, as the copy and compare it replaced;
    the scratch stays within COMPARE_SCRATCH_BYTES whatever the size."""
    t = t.detach()
    if t.is_complex():
        t = torch.view_as_real(t)
    words_per_element = max(1, t.element_size() // 4)
    sums = torch.zeros(2, dtype=torch.int64, device=t.device)
    for index in _pieces(t.shape, max(1, CHUNK_ELEMENTS // words_per_element)):
        flat = t[index].reshape(-1)
        words = flat.view(_NARROW_WORDS.get(flat.element_size(), torch.int32))
        if digest_kernel.usable(words):  # one pass on a GPU (harness/digest_kernel.py)
            chunk = digest_kernel.piece_sums(words, HASH_KEYS)
        else:
            words = words.to(torch.int32)
            weights = _position_weights(t.device)[: words.numel()]
            chunk = torch.stack(
                [words.sum(dtype=torch.int64), torch.mul(words, weights).sum(dtype=torch.int64)]
            )
        sums = sums.mul_(_CHAIN_KEY).add_(chunk)
    return sums


def _position_weights(device: torch.device) -> torch.Tensor:
    """CHUNK_ELEMENTS odd int32 weights, a hash of their positions (64 MiB, kept)."""
    key = (device, CHUNK_ELEMENTS)
    if key not in _WEIGHTS:
        i = torch.arange(CHUNK_ELEMENTS, dtype=torch.int64, device=device)
        i.mul_(HASH_KEYS[0]).bitwise_xor_(i >> 29).mul_(HASH_KEYS[1])
        _WEIGHTS[key] = (i >> 32).to(torch.int32).bitwise_or_(1)
    return _WEIGHTS[key]


def poison_allocator(device: torch.device, nbytes: int) -> None:
    """Fill soon-to-be-reused memory with NaN so an unwritten output cannot look right.

    On CUDA the caching allocator hands the freed block to the next request of
    a similar size, so a candidate returning `torch.empty` sees NaN, never a
    previous run's answer. The cache is emptied first. A cached block of exactly the
    output's size (the trace probe's output, or a domain check's: the reference's
    answer for these very inputs) would fit a request better than the NaN block
    twice its size. And the NaN block needed a segment of its own beside them: a
    6.4 GB ReLU's evaluation reserved 40.9 GB on an H200, 28.9 GB with the cache
    emptied (benchmarks/results/h200-2026-12-04-bench-large-one-input-set).
    """
    if device.type == "cuda":
        torch.cuda.empty_cache()
    count = max(nbytes // 4, 1 << 16)
    block = torch.full((count,), float("nan"), dtype=torch.float32, device=device)
    del block
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _as_outputs(value: Any) -> list[Any]:
    if isinstance(value, (tuple, list)):
        return list(value)
    return [value]


def check_output_types(candidate: Any, reference: Any) -> None:
    cand_list, ref_list = _as_outputs(candidate), _as_outputs(reference)
    if len(cand_list) != len(ref_list):
        raise Mismatch(f"returned {len(cand_list)} outputs, the reference returns {len(ref_list)}")
    for i, (c, r) in enumerate(zip(cand_list, ref_list)):
        if isinstance(c, torch.Tensor) and type(c) is not torch.Tensor:
            raise Cheat(
                f"output {i} is a {type(c).__name__}, a tensor subclass that can "
                "override comparisons"
            )
        if not isinstance(c, torch.Tensor):
            raise Mismatch(f"output {i} is a {type(c).__name__}, not a torch.Tensor")
        if c.shape != r.shape:
            raise Mismatch(f"output {i} has shape {tuple(c.shape)}, expected {tuple(r.shape)}")
        if c.dtype != r.dtype:
            raise Mismatch(f"output {i} has dtype {c.dtype}, expected {r.dtype}")
        if c.device != r.device:
            raise Mismatch(f"output {i} is on {c.device}, expected {r.device}")


# Elements per comparison chunk. Each chunk is converted to float64 and a handful
# of float64/bool temporaries live at once (about 10 × 8 B × 2^24 ≈ 1.3 GiB at
# most), whatever the output's size: a 4 GB fp32 output converted whole needed
# 8 + 8 GB of float64 scratch and ran the GPU out of memory. 2^24 still leaves a
# multi-GB output only a few dozen chunks, each a few kernel launches.
CHUNK_ELEMENTS = 1 << 24


def _pieces(shape: torch.Size, limit: int) -> Iterator[tuple]:
    """Index tuples that split a tensor of `shape` into pieces of at most `limit` elements,
    in row-major order. They depend on the shape alone, so the candidate, the reference and
    a float64 reference split alike whatever their strides; `piece.reshape(-1)` then copies
    at most `limit` elements (and nothing when the piece is contiguous)."""
    numel = shape.numel()
    if numel == 0:
        return
    if numel <= limit or not shape:
        yield ()
        return
    rows, inner = shape[0], numel // shape[0]
    if inner <= limit:
        step = limit // inner
        for start in range(0, rows, step):
            yield (slice(start, start + step),)
        return
    for row in range(rows):
        for rest in _pieces(shape[1:], limit):
            yield (row, *rest)


def all_finite(t: torch.Tensor) -> bool:
    """Whether every element is finite, CHUNK_ELEMENTS at a time. `torch.isfinite` is
    `(x == x) & (x.abs() != inf)`: on a whole output it made an abs() copy and three
    boolean tensors, 1.75 output-sizes beside the trial's own sets, on the first trial
    and in every distribution's domain check: likely the fourth set in the 28.5 GiB a
    6.4 GB ReLU's verification reserved on an H200 (harness/memory.py)."""
    t = t.detach()
    finite = torch.ones((), dtype=torch.bool, device=t.device)
    for index in _pieces(t.shape, CHUNK_ELEMENTS):
        finite &= torch.isfinite(t[index]).all()
    return bool(finite)


def _chunk_totals(c_raw, r_raw, e_raw, firsts, tol: float, want_scale: bool):
    """One chunk's counts (NaN/Inf where the reference is finite, reference NaN/Inf not
    reproduced, candidate and reference elements unlike their first, elements beyond
    tolerance) and maxima (abs error, rel error, and against float64: the reference's
    error, the candidate's, the output's scale), as two small tensors left on the device."""
    c, r = c_raw.double(), r_raw.double()
    zero = c.new_zeros(())
    finite = torch.isfinite(r)
    new_nonfinite = (~torch.isfinite(c) & finite).sum()
    moved = (~(finite | (c == r) | (torch.isnan(c) & torch.isnan(r)))).sum()
    # compared in the output's own dtype, as `==` on the whole output would be
    varying = [
        (raw != first).sum() if first is not None else zero
        for raw, first in zip((c_raw, r_raw), firsts)
    ]
    diff = (c - r).abs().where(finite, 0.0)
    r_abs = r.abs()
    max_rel = (diff / r_abs.clamp_min(1e-12)).max()
    bad = own = theirs = scale = zero
    if e_raw is None:
        bad = ((diff > tol + tol * r_abs) & finite).sum()
    else:
        exact = e_raw.double()
        own = (r - exact).abs().where(finite, 0.0).max()
        theirs = (c - exact).abs().where(finite, 0.0).max()
        if want_scale:
            scale = exact.abs().where(finite, 0.0).max()
    counts = torch.stack([new_nonfinite, moved, *varying, bad]).double()
    return counts, torch.stack([diff.max(), max_rel, own, theirs, scale])


def _first_element(t: torch.Tensor) -> torch.Tensor | None:
    """What a constant output would hold everywhere (a 0-d view: nothing is copied)."""
    return t[(0,) * t.dim()] if t.numel() >= 2 else None


def compare(
    candidate: torch.Tensor,
    reference: torch.Tensor,
    reference64: torch.Tensor | None = None,
    slack: bool = True,
    accumulates: bool = False,
) -> ErrorStats:
    """Raises Mismatch unless candidate matches; returns the error statistics.

    With `reference64`, the candidate's max error against float64 may be at
    most TF32_ERROR_FACTOR times the reference's own (plus the dtype's
    tolerance when `slack`: TF32 convolutions, where the reference is the
    lower-precision one by PyTorch's default). Without slack, where the
    reference `accumulates` (sums, norms, matmuls), it may instead be off by
    the dtype's tolerance times the output's scale.

    The outputs are compared CHUNK_ELEMENTS at a time, so the float64 scratch
    stays bounded however large they are; on a GPU each chunk is one pass of
    harness/compare_kernel.py, elsewhere `_chunk_totals`'s PyTorch ops.
    """
    tol = tolerance_for(reference.dtype)
    candidate, reference = candidate.detach(), reference.detach()
    exact_all = reference64.detach() if reference64 is not None else None
    want_scale = exact_all is not None and not slack and accumulates
    firsts = (_first_element(candidate), _first_element(reference))
    # Summed and maximised on the device: one sync at the end, and torch.maximum
    # propagates NaN as one max over the whole output would.
    counts = torch.zeros(5, dtype=torch.float64, device=reference.device)
    maxima = torch.zeros(5, dtype=torch.float64, device=reference.device)
    fused = compare_kernel.usable(candidate, reference, exact_all)
    if fused:
        values = compare_kernel.scalars(firsts, tol, reference.device)
    for index in _pieces(reference.shape, CHUNK_ELEMENTS):
        c = candidate[index].reshape(-1)
        r = reference[index].reshape(-1)
        e = exact_all[index].reshape(-1) if exact_all is not None else None
        if fused:
            chunk_counts, chunk_maxima = compare_kernel.chunk_totals(
                c, r, e, values, firsts[0] is not None, want_scale
            )
        else:
            chunk_counts, chunk_maxima = _chunk_totals(c, r, e, firsts, tol, want_scale)
        counts += chunk_counts
        maxima = torch.maximum(maxima, chunk_maxima)
    new_nonfinite, moved, cand_varying, ref_varying, bad = counts.tolist()
    max_abs, max_rel, own, theirs, scale = maxima.tolist()
    if new_nonfinite:
        raise Mismatch(f"{int(new_nonfinite)} NaN/Inf values where the reference has finite ones")
    if moved:
        raise Mismatch("NaN/Inf positions differ from the reference's")
    if firsts[0] is not None and not cand_varying and ref_varying:
        raise Mismatch(f"output is constant ({firsts[0].item()!r}) where the reference's is not")
    stats = ErrorStats(max_abs=max_abs, max_rel=max_rel, tolerance=tol)
    if exact_all is not None:
        stats.criterion = "float64-bounded"
        stats.notes.append(f"error vs float64: candidate {theirs:.3g}, reference {own:.3g}")
        bound = f"{TF32_ERROR_FACTOR}× the reference's own {own:.3g}"
        if slack:
            allowed = TF32_ERROR_FACTOR * own + tol
        elif not accumulates:
            allowed = TF32_ERROR_FACTOR * own
        else:
            # A long fp32 sum's error scales with its terms, not with its result:
            # an honest 8192-term row sum on heavy-tailed data was 2.3× PyTorch's
            # own error on an H100 and still within 1e-6 of the output's scale.
            # So where the reference accumulates, the candidate may also be off
            # by tol × the largest exact output.
            allowed = max(TF32_ERROR_FACTOR * own, tol * scale)
            bound = f"{allowed:.3g} (the larger of {bound} and {tol:g} × the output's scale)"
        if theirs > allowed:
            raise Mismatch(f"error against float64 {theirs:.3g} exceeds {bound}")
        return stats
    if bad:
        raise Mismatch(
            f"{int(bad)}/{candidate.numel()} elements differ beyond atol=rtol={tol:g}: "
            f"max abs error {stats.max_abs:.3g}, max rel error {stats.max_rel:.3g}"
        )
    return stats


def compare_outputs(
    candidate: Any,
    reference: Any,
    reference64: Any | None = None,
    slack: bool = True,
    accumulates: bool = False,
) -> ErrorStats:
    check_output_types(candidate, reference)
    total = ErrorStats()
    refs64 = _as_outputs(reference64) if reference64 is not None else None
    for i, (c, r) in enumerate(zip(_as_outputs(candidate), _as_outputs(reference))):
        try:
            total.merge(compare(c, r, refs64[i] if refs64 else None, slack, accumulates))
        except Mismatch as err:
            prefix = f"output {i}: " if isinstance(reference, (tuple, list)) else ""
            raise Mismatch(prefix + str(err)) from None
    return total


# Ops whose outputs are sums of many terms: their rounding error grows with the
# terms, so a different (honest) summation order can miss a 1e-4 allclose.
ACCUMULATING_OPS = (
    "sum",
    "mean",
    "var",
    "std",
    "norm",
    "softmax",
    "logsumexp",
    "cumsum",
    "cumprod",
    "prod",
    "mm",
    "matmul",
    "linear",
    "conv",
    "einsum",
    "loss",
    "cross_entropy",
    "kl_div",
    "attention",
    "baddbmm",
    "addmm",
)


def accumulates(op_names: Any) -> bool:
    return any(key in name.lower() for name in op_names for key in ACCUMULATING_OPS)


def output_nbytes(value: Any) -> int:
    return sum(
        t.numel() * t.element_size() for t in _as_outputs(value) if isinstance(t, torch.Tensor)
    )


def run_synchronized(fn: Callable[[], Any], device: torch.device) -> Any:
    out = fn()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return out
