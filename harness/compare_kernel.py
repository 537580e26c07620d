"""Worker side: one chunk of an output comparison in one pass over the GPU's memory.

harness/verify.py's `_chunk_totals` computes a chunk's counts and maxima with some
thirty PyTorch ops, each writing a float64 temporary the size of the chunk: on an
H200 comparing a 6.4 GB softmax output took about 0.24 s a trial, five trials and a
re-verification an evaluation, in the runner and again in the judge
(py-spy, benchmarks/results/h200-2026-12-03-large-harness-startup/). This kernel
reads the candidate's, the reference's and (where there is one) the float64
reference's elements once, widens them to float64 in registers, and writes one row
of partial results per block; PyTorch then sums and maximises the rows. The
arithmetic is `_chunk_totals`'s, in the same float64; tests/cpu/test_compare_kernel.py
checks both agree under the Triton interpreter, tests/gpu/ on the device.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

BLOCK = 4096
# Columns of a block's row: five counts, then five maxima (harness/verify.py's order).
COUNTS, MAXIMA = 5, 5


@triton.jit
def _isfinite(x):
    return (x == x) & (tl.abs(x) != float("inf"))


@triton.jit
def _max(x):
    """tl.max that propagates NaN, as torch.max does (tl.max drops it)."""
    has_nan = tl.sum((x != x).to(tl.int32), axis=0) > 0
    return tl.where(has_nan, float("nan"), tl.max(x, axis=0))


@triton.jit(do_not_specialize=["n"])
def _chunk_kernel(
    c_ptr,
    r_ptr,
    e_ptr,
    scalars_ptr,  # float64: the candidate's first element, the reference's, the tolerance
    out_ptr,
    n,
    HAS_EXACT: tl.constexpr,
    WANT_SCALE: tl.constexpr,
    CHECK_FIRSTS: tl.constexpr,
    BLOCK: tl.constexpr,
):
    block = tl.program_id(0)
    offsets = block.to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    inside = offsets < n
    c = tl.load(c_ptr + offsets, mask=inside, other=0).to(tl.float64)
    r = tl.load(r_ptr + offsets, mask=inside, other=0).to(tl.float64)
    c_first = tl.load(scalars_ptr)
    r_first = tl.load(scalars_ptr + 1)
    tol = tl.load(scalars_ptr + 2)
    zero = tl.zeros([BLOCK], dtype=tl.float64)
    finite = _isfinite(r)
    c_nan, r_nan = c != c, r != r
    new_nonfinite = tl.sum((inside & finite & ~_isfinite(c)).to(tl.float64), axis=0)
    moved = tl.sum((inside & ~(finite | (c == r) | (c_nan & r_nan))).to(tl.float64), axis=0)
    if CHECK_FIRSTS:
        # widening to float64 is exact, so `!=` here is `!=` in the output's own dtype
        c_varying = tl.sum((inside & (c != c_first)).to(tl.float64), axis=0)
        r_varying = tl.sum((inside & (r != r_first)).to(tl.float64), axis=0)
    else:
        c_varying = tl.sum(zero, axis=0)
        r_varying = tl.sum(zero, axis=0)
    counted = inside & finite
    diff = tl.where(counted, tl.abs(c - r), 0.0)
    r_abs = tl.abs(r)
    # NaN as torch's clamp_min gives it: a NaN anywhere in the reference makes max_rel NaN
    max_rel = _max(diff / tl.maximum(r_abs, 1e-12, propagate_nan=tl.PropagateNan.ALL))
    bad = tl.sum(zero, axis=0)
    own = tl.sum(zero, axis=0)
    theirs = tl.sum(zero, axis=0)
    scale = tl.sum(zero, axis=0)
    if HAS_EXACT:
        exact = tl.load(e_ptr + offsets, mask=inside, other=0).to(tl.float64)
        own = _max(tl.where(counted, tl.abs(r - exact), 0.0))
        theirs = _max(tl.where(counted, tl.abs(c - exact), 0.0))
        if WANT_SCALE:
            scale = _max(tl.where(counted, tl.abs(exact), 0.0))
    else:
        bad = tl.sum((counted & (diff > tol + tol * r_abs)).to(tl.float64), axis=0)
    row = out_ptr + block.to(tl.int64) * 10
    tl.store(row + 0, new_nonfinite)
    tl.store(row + 1, moved)
    tl.store(row + 2, c_varying)
    tl.store(row + 3, r_varying)
    tl.store(row + 4, bad)
    tl.store(row + 5, _max(diff))
    tl.store(row + 6, max_rel)
    tl.store(row + 7, own)
    tl.store(row + 8, theirs)
    tl.store(row + 9, scale)


# The dtypes the kernel reads; anything else goes through harness/verify.py's PyTorch ops.
DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def usable(*tensors: torch.Tensor | None) -> bool:
    return all(t is None or (t.is_cuda and t.dtype in DTYPES) for t in tensors)


def scalars(
    firsts: tuple[torch.Tensor | None, torch.Tensor | None], tol: float, device: torch.device
) -> torch.Tensor:
    """The first elements (0-d views, copied on the device: no sync) and the tolerance,
    in float64: a Python float argument would reach the kernel as float32."""
    values = torch.zeros(3, dtype=torch.float64, device=device)
    values[2] = tol
    for i, first in enumerate(firsts):
        if first is not None:
            values[i] = first.to(torch.float64)
    return values


def chunk_totals(
    c: torch.Tensor,
    r: torch.Tensor,
    e: torch.Tensor | None,
    values: torch.Tensor,
    check_firsts: bool,
    want_scale: bool,
) -> tuple[torch.Tensor, torch.Tensor]:
    """`_chunk_totals`'s two small tensors (counts, maxima) for the flat chunks `c`, `r`,
    `e`; `values` from `scalars`."""
    n = r.numel()
    blocks = triton.cdiv(n, BLOCK)
    rows = torch.empty((blocks, COUNTS + MAXIMA), dtype=torch.float64, device=r.device)
    _chunk_kernel[(blocks,)](
        c.contiguous(),
        r.contiguous(),
        e.contiguous() if e is not None else r,
        values,
        rows,
        n,
        HAS_EXACT=e is not None,
        WANT_SCALE=want_scale,
        CHECK_FIRSTS=check_firsts,
        BLOCK=BLOCK,
    )
    # amax propagates NaN across blocks as torch.maximum did across chunks
    return rows[:, :COUNTS].sum(0), rows[:, COUNTS:].amax(0)


def warm(device: torch.device) -> None:
    """Compiles the usual variant (float32, no float64 reference) while a spare worker
    waits for its request (harness/worker.py): each worker has a cache of its own."""
    _warm_variant(device, exact=False, want_scale=False, check_firsts=True)


def warm_variants(device: torch.device) -> None:
    """Every variant a float32 problem's comparisons use: with and without a float64
    reference (sums, norms, scans), its scale, a one-element output's. Compiled once
    per device by a worker that runs no problem or candidate code (harness/kernel_cache.py);
    every evaluation worker then loads them from its copy of that cache while it waits
    for its request, and never compiles one after the runner has run (harness/judge.py
    `fresh_kernel_cache`)."""
    for exact, want_scale in ((False, False), (True, False), (True, True)):
        for check_firsts in (True, False):
            _warm_variant(device, exact, want_scale, check_firsts)


def _warm_variant(device: torch.device, exact: bool, want_scale: bool, check_firsts: bool) -> None:
    pair = torch.zeros(2, dtype=torch.float32, device=device)
    firsts = (pair[0], pair[0]) if check_firsts else (None, None)
    e = pair.double() if exact else None
    chunk_totals(pair, pair, e, scalars(firsts, 1e-4, device), check_firsts, want_scale)
