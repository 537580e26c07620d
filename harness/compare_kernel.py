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


# Its three switches (has_exact, want_scale, check_firsts) are runtime arguments, not
# constexprs: one compiled kernel serves every comparison of a dtype. As constexprs
# they made six variants; a spare compiled the usual one, and the float64-bounded one
# that sums and scans fall back to was compiled during the evaluation, in the runner and
# again in the judge, whose cache is fresh after the runner (harness/judge.py
# `fresh_kernel_cache`). A cold compile of one variant took 2.4-2.75 s on an H200
# (benchmarks/results/h200-2026-12-05-alone-six-trials-judge-isolation), and those
# problems' judges took 2.2-2.7 s where others' took 0.5-1.9 s.
@triton.jit(do_not_specialize=["n", "has_exact", "want_scale", "check_firsts"])
def _chunk_kernel(
    c_ptr,
    r_ptr,
    e_ptr,  # float64: the exact reference, or (without one) `scalars_ptr` again, never read
    scalars_ptr,  # float64: the candidate's first element, the reference's, the tolerance
    out_ptr,
    n,
    has_exact,
    want_scale,
    check_firsts,
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
    c_varying = tl.sum(zero, axis=0)
    r_varying = tl.sum(zero, axis=0)
    if check_firsts != 0:
        # widening to float64 is exact, so `!=` here is `!=` in the output's own dtype
        c_varying = tl.sum((inside & (c != c_first)).to(tl.float64), axis=0)
        r_varying = tl.sum((inside & (r != r_first)).to(tl.float64), axis=0)
    counted = inside & finite
    diff = tl.where(counted, tl.abs(c - r), 0.0)
    r_abs = tl.abs(r)
    # NaN as torch's clamp_min gives it: a NaN anywhere in the reference makes max_rel NaN
    max_rel = _max(diff / tl.maximum(r_abs, 1e-12, propagate_nan=tl.PropagateNan.ALL))
    bad = tl.sum(zero, axis=0)
    own = tl.sum(zero, axis=0)
    theirs = tl.sum(zero, axis=0)
    scale = tl.sum(zero, axis=0)
    if has_exact != 0:
        exact = tl.load(e_ptr + offsets, mask=inside, other=0).to(tl.float64)
        own = _max(tl.where(counted, tl.abs(r - exact), 0.0))
        theirs = _max(tl.where(counted, tl.abs(c - exact), 0.0))
        if want_scale != 0:
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
        e.contiguous() if e is not None else values,
        values,
        rows,
        n,
        int(e is not None),
        int(want_scale),
        int(check_firsts),
        BLOCK=BLOCK,
    )
    # amax propagates NaN across blocks as torch.maximum did across chunks
    return rows[:, :COUNTS].sum(0), rows[:, COUNTS:].amax(0)


def warm(device: torch.device) -> None:
    """Compiles (or loads from the trusted copy: harness/kernel_cache.py) the kernel every
    float32 comparison uses, while a spare worker waits for its request (harness/worker.py),
    so no evaluation compiles one: not the runner, and not the judge, which may compile
    nothing from the shared cache once the runner has run (harness/judge.py)."""
    pair = torch.zeros(2, dtype=torch.float32, device=device)
    values = scalars((pair[0], pair[0]), 1e-4, device)
    chunk_totals(pair, pair, pair.double(), values, check_firsts=True, want_scale=True)
