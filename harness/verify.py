"""Worker side: is the candidate's output the reference's, on fresh inputs?

DESIGN.md "How we know a candidate is right": >= 5 freshly seeded trials,
heavy-tailed values and a second input set at another address where the
problem allows, KernelBench's per-dtype tolerances, candidate run first on a
poisoned allocator, inputs checksummed, constant outputs refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

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
    """Same inputs with log-normally scaled magnitudes: outliers in every row, signs kept."""
    out = []
    for x in inputs:
        if isinstance(x, torch.Tensor) and x.is_floating_point():
            scale = torch.exp(torch.randn_like(x, dtype=torch.float32) * 1.5).to(x.dtype)
            out.append(x * scale)
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


def input_fingerprint(inputs: list) -> list[torch.Tensor | None]:
    """Byte-exact copies of each tensor input, kept on its device."""
    return [x.detach().clone() if isinstance(x, torch.Tensor) else None for x in inputs]


def inputs_unchanged(inputs: list, prints: list[torch.Tensor | None]) -> bool:
    """Compares bytes, not values: NaN == NaN here, and -0.0 differs from 0.0."""
    for x, saved in zip(inputs, prints):
        if saved is None:
            continue
        if not isinstance(x, torch.Tensor) or x.shape != saved.shape or x.dtype != saved.dtype:
            return False
        if not torch.equal(_bytes_of(x), _bytes_of(saved)):
            return False
    return True


def _bytes_of(t: torch.Tensor) -> torch.Tensor:
    flat = t.detach().contiguous().reshape(-1)
    return flat.view(torch.uint8) if flat.numel() else flat


def poison_allocator(device: torch.device, nbytes: int) -> None:
    """Fill soon-to-be-reused memory with NaN so an unwritten output cannot look right.

    On CUDA the caching allocator hands the freed block to the next request of
    a similar size, so a candidate returning `torch.empty` sees NaN, never a
    previous run's answer.
    """
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


def _is_constant(t: torch.Tensor) -> bool:
    if t.numel() < 2:
        return False
    flat = t.reshape(-1)
    return bool((flat == flat[0]).all())


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
    """
    tol = tolerance_for(reference.dtype)
    c = candidate.detach().double()
    r = reference.detach().double()
    ref_finite = torch.isfinite(r)
    new_nonfinite = (~torch.isfinite(c)) & ref_finite
    if bool(new_nonfinite.any()):
        count = int(new_nonfinite.sum())
        raise Mismatch(f"{count} NaN/Inf values where the reference has finite ones")
    if bool((~ref_finite).any()):
        same = torch.where(ref_finite, torch.zeros_like(c), c) == torch.where(
            ref_finite, torch.zeros_like(r), r
        )
        both_nan = torch.isnan(c) & torch.isnan(r)
        if not bool((same | both_nan | ref_finite).all()):
            raise Mismatch("NaN/Inf positions differ from the reference's")
    if _is_constant(candidate) and not _is_constant(reference):
        raise Mismatch(
            f"output is constant ({candidate.reshape(-1)[0].item()!r}) where the reference's is not"
        )
    diff = (c - r).abs().where(ref_finite, torch.zeros_like(c))
    rel = diff / r.abs().clamp_min(1e-12)
    stats = ErrorStats(
        max_abs=float(diff.max()) if diff.numel() else 0.0,
        max_rel=float(rel.max()) if rel.numel() else 0.0,
        tolerance=tol,
    )
    if reference64 is not None:
        exact = reference64.detach().double()
        own = float(((r - exact).abs().where(ref_finite, torch.zeros_like(r))).max())
        theirs = float(((c - exact).abs().where(ref_finite, torch.zeros_like(c))).max())
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
            scale = float(exact.abs().where(ref_finite, torch.zeros_like(exact)).max())
            allowed = max(TF32_ERROR_FACTOR * own, tol * scale)
            bound = f"{allowed:.3g} (the larger of {bound} and {tol:g} × the output's scale)"
        if theirs > allowed:
            raise Mismatch(f"error against float64 {theirs:.3g} exceeds {bound}")
        return stats
    bound = tol + tol * r.abs()
    bad = (diff > bound) & ref_finite
    if bool(bad.any()):
        count = int(bad.sum())
        raise Mismatch(
            f"{count}/{c.numel()} elements differ beyond atol=rtol={tol:g}: "
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
