"""Worker side: the other shapes every candidate is verified at.

DESIGN.md: a candidate is right at every shape the problem's dynamic dims
allow, not only at `get_inputs()`'s. Real code calls the same op at batch 1,
at an odd batch, at prefill and at decode. The dynamic dims are the leading
dims (dim 0) of the inputs: each derived shape sets them to 1 or to an odd
size, on the trial's own seeded values (narrowed, or repeated to grow), so the
runner and the judge build the same inputs.

Which inputs share the leading dim is not declared anywhere; two readings are
tried in turn and the first one the reference itself accepts is used: every
input whose dim 0 equals the first input's (a batch shared by x, mask and
targets), then the first input alone (A in A @ B, whose B's dim 0 is K).
Where the reference accepts neither, that shape is outside the problem and is
skipped, and the result says so.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

# Offset of the derived shapes' seeds from the request's: their trials never reuse a
# same-shape trial's values.
SEED_OFFSET = 1000
ODD_SIZE = 3  # odd and small: a multi-GB problem's derived trial costs little
# A leading dim grown past the problem's (1 -> 3) repeats rows; not past this many
# elements per input, so a GB-sized batch-1 input is not tripled on the device.
GROW_LIMIT = 1 << 27


def leading_size(inputs: list) -> int | None:
    """Dim 0 of the first tensor input with dims, or None when no input has one."""
    for x in inputs:
        if isinstance(x, torch.Tensor) and x.dim() > 0:
            return int(x.shape[0])
    return None


def sizes(leading: int | None) -> list[int]:
    """The leading sizes to verify at: 1 and an odd size, each unlike the problem's own."""
    if leading is None:
        return []
    odd = ODD_SIZE if leading != ODD_SIZE else ODD_SIZE + 2
    return [s for s in (1, odd) if s != leading]


def _resized(x: torch.Tensor, size: int) -> torch.Tensor:
    """x with dim 0 of `size`: its first rows, or its rows repeated, as a new tensor."""
    have = x.shape[0]
    if size <= have:
        return x.narrow(0, 0, size).clone()
    repeats = -(-size // have)
    return torch.cat([x] * repeats, dim=0).narrow(0, 0, size).clone()


def readings(inputs: list, size: int) -> list[list]:
    """The inputs with their leading dim set to `size`, under each reading of which
    inputs share it (the module docstring), most inputs first; duplicates dropped."""
    leading = leading_size(inputs)
    if leading is None:
        return []
    first = next(i for i, x in enumerate(inputs) if isinstance(x, torch.Tensor) and x.dim() > 0)
    shared = {
        i
        for i, x in enumerate(inputs)
        if isinstance(x, torch.Tensor) and x.dim() > 0 and x.shape[0] == leading
    }
    if size > leading and any(inputs[i].numel() * size > GROW_LIMIT * leading for i in shared):
        return []
    groups = [shared] if shared == {first} else [shared, {first}]
    return [
        [_resized(x, size) if i in chosen else x for i, x in enumerate(inputs)] for chosen in groups
    ]


def derive(inputs: list, size: int, defined: Callable[[list], bool]) -> list | None:
    """The first reading at `size` the reference is `defined` on, or None."""
    for candidate in readings(inputs, size):
        if defined(candidate):
            return candidate
    return None


def describe(inputs: list) -> str:
    """The tensor inputs' shapes, as a message names a shape: `[1, 4096], [4096]`."""
    return ", ".join(str(list(x.shape)) for x in inputs if isinstance(x, torch.Tensor))


def summary(shapes: list[dict[str, str]]) -> str:
    """What a result message adds about the derived shapes: `` and at [1, 64], [3, 64]``,
    and where the original PyTorch runs instead."""
    verified = [e["shape"] for e in shapes if e["status"] == "verified"]
    original = [e["shape"] for e in shapes if e["status"] == "original"]
    text = f" and at {'; '.join(verified)}" if verified else ""
    if original:
        text += f"; at {'; '.join(original)} applied code runs the original PyTorch"
    return text
