"""Worker side: the input distributions verification trials draw from.

DESIGN.md "How we know a candidate is right": trials use the problem's own
inputs, signed uniform, large-magnitude, heavy-tailed, and zeros-and-ties
values; issue 15 adds standard normal ones. A problem's `get_inputs()` often
draws one kind only (`torch.rand` is never negative), and a candidate can be
right on exactly that kind alone: a copy passes for a ReLU of non-negative
inputs. Each variant is derived from the
trial's own seeded inputs, so the runner and the judge draw the same values.
Only floating-point tensors change: indices, targets and masks keep the values
the problem made, which their ops depend on.
"""

from __future__ import annotations

import torch
from kernelwright.harness.verify import heavy_tailed

OWN = "own"
# Trial i (counting from 0) uses ROTATION[i % len(ROTATION)]: messages.MIN_TRIALS
# trials see every one. Standard normal comes last, so the other trials kept their seeds.
ROTATION = (OWN, "signed", "large", "heavy_tailed", "zeros_ties", "normal")

LABELS = {
    OWN: "the problem's own inputs",
    "signed": "signed uniform inputs",
    "large": "large-magnitude inputs",
    "heavy_tailed": "heavy-tailed inputs",
    "zeros_ties": "zeros-and-ties inputs",
    "normal": "standard normal inputs",
}

# ×1000 keeps the usual N(0, 1) draws (|x| < 6) inside fp16's range (65504), while
# exp(x) overflows in every float dtype: a kernel that skips a max subtraction, or
# squares before it scales, fails here and nowhere else.
LARGE_FACTOR = 1e3
# Rounded to multiples of a/4 (nine levels in [-a, a]), with about a quarter of the
# elements zeroed on top: most rows then hold their maximum several times (argmax and
# sort ties) and many exact zeros (relu, sign and abs at 0).
TIE_LEVELS = 4
ZEROED_SHARE = 0.25


def for_trial(index: int) -> str:
    return ROTATION[index % len(ROTATION)]


def derive(name: str, inputs: list) -> list:
    """The trial's inputs under distribution `name` (draws from the current RNG state)."""
    if name == OWN:
        return inputs
    if name == "heavy_tailed":
        return heavy_tailed(inputs)
    change = _ELEMENTWISE[name]
    return [change(x) if _is_float_tensor(x) else x for x in inputs]


def _is_float_tensor(x) -> bool:
    return isinstance(x, torch.Tensor) and x.is_floating_point() and x.numel() > 0


def _magnitude(x: torch.Tensor) -> float:
    """The input's own largest magnitude, so variants stay at the problem's scale
    (aminmax, not abs().max(): no copy of a large input)."""
    low, high = torch.aminmax(x.detach())
    a = max(-float(low), float(high))
    return a if 0 < a < float("inf") else 1.0


def _signed(x: torch.Tensor) -> torch.Tensor:
    a = _magnitude(x)
    return torch.empty_like(x).uniform_(-a, a)


def _normal(x: torch.Tensor) -> torch.Tensor:
    """N(0, 1) whatever the problem drew: a problem of `torch.rand` inputs otherwise never
    sees a value below -1 (signed uniform stays within its magnitude, 1), where a
    hardtanh that forgot its lower clamp is wrong."""
    return torch.randn_like(x)


def _large(x: torch.Tensor) -> torch.Tensor:
    return x * LARGE_FACTOR


def _zeros_ties(x: torch.Tensor) -> torch.Tensor:
    """In place on one copy, with a one-byte mask: inputs can be gigabytes."""
    step = _magnitude(x) / TIE_LEVELS
    tied = torch.div(x, step).round_().mul_(step)
    zeroed = torch.empty_like(x, dtype=torch.bool).bernoulli_(ZEROED_SHARE)
    return tied.masked_fill_(zeroed, 0.0)


# The floating-point tensors' changes by name (heavy-tailed is verify.heavy_tailed).
_ELEMENTWISE = {"signed": _signed, "large": _large, "zeros_ties": _zeros_ties, "normal": _normal}
