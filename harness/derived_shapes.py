"""Worker side: the other shapes every candidate is verified at.

DESIGN.md: a candidate is right at every shape the problem's dynamic dims
allow, not only at `get_inputs()`'s. Real code calls the same op at batch 1,
at an odd batch, at prefill and at decode. The dynamic dims are the leading
dims (dim 0) of the inputs: each derived shape sets them to 1 or to an odd
size, on the trial's own seeded values (narrowed, or repeated to grow), so the
runner and the judge build the same inputs. One more sets the leading dim to 1
and the last dim to an odd size below the problem's (4096 -> 4095): a kernel
that assumed its row fills a power-of-two block, or a block-size multiple,
reads past the row there. 1 keeps that trial cheap at any size.

Which inputs share the leading dim is not declared anywhere; two readings are
tried in turn and the first one the reference itself accepts is used: every
input whose dim 0 equals the first input's (a batch shared by x, mask and
targets), then the first input alone (A in A @ B, whose B's dim 0 is K).
Where the reference accepts neither, that shape is outside the problem and is
skipped, and the result says so. For the last dim, three readings in turn:
every dim of that size in every input of two or more dims (K of A @ B is A's
last and B's first), the last dim of every input whose last dim has it, the
first input's alone. A last dim fixed by a weight (a Linear's in_features, a
LayerNorm's normalized_shape) is refused by the reference under every reading:
outside. Problems with integer inputs get no inner shape: their values index
some dim (class labels, token ids), and an index past a narrowed dim is a
device-side assert on CUDA, not an error the reference could refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

# Offset of the derived shapes' seeds from the request's: their trials never reuse a
# same-shape trial's values.
SEED_OFFSET = 1000
ODD_SIZE = 3  # odd and small: a multi-GB problem's derived trial costs little
# A leading dim grown past the problem's (1 -> 3) repeats rows; not past this many
# elements per input, so a GB-sized batch-1 input is not tripled on the device.
GROW_LIMIT = 1 << 27


@dataclass(frozen=True)
class DerivedShape:
    """Dim 0 of the inputs set to `leading`; with `inner`, their last dim too."""

    leading: int
    inner: int | None = None

    def as_json(self) -> dict[str, int | None]:
        return {"leading": self.leading, "inner": self.inner}

    @classmethod
    def from_json(cls, data: Any) -> DerivedShape:
        if not isinstance(data, dict):  # the manifest is the runner's: read, never trusted
            raise TypeError(f"a derived shape is an object, not {type(data).__name__}")
        inner = data.get("inner")
        return cls(int(data["leading"]), int(inner) if inner is not None else None)

    def describe(self) -> str:
        """How a message names a shape the reference refused: `leading dim 1, last dim 4095`."""
        text = f"leading dim {self.leading}"
        return text + (f", last dim {self.inner}" if self.inner is not None else "")


def planned(inputs: list) -> list[DerivedShape]:
    """The derived shapes for a problem whose inputs (at its own shape) are `inputs`."""
    leading = leading_size(inputs)
    shapes = [DerivedShape(size) for size in sizes(leading)]
    inner = inner_size(inputs)
    if inner is not None:
        shapes.append(DerivedShape(1, inner))
    return shapes


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


def _last_dim(inputs: list) -> int | None:
    """The last dim of the first tensor input with two or more dims."""
    for x in inputs:
        if isinstance(x, torch.Tensor) and x.dim() >= 2:
            return int(x.shape[-1])
    return None


def inner_size(inputs: list) -> int | None:
    """An odd last dim below the problem's (odd and 3 or more: never a power of two),
    or None where the problem gets no inner shape (the module docstring)."""
    last = _last_dim(inputs)
    if last is None or any(_indexes(x) for x in inputs):
        return None
    odd = last - 1 if last % 2 == 0 else last - 2
    return odd if odd >= 3 else None


def _indexes(x: Any) -> bool:
    """An integer tensor: its values may index a dim of another input."""
    return (
        isinstance(x, torch.Tensor)
        and not x.is_floating_point()
        and not x.is_complex()
        and x.dtype != torch.bool
    )


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


def inner_readings(inputs: list, size: int) -> list[list]:
    """The inputs with the last dim narrowed to `size`, under each reading of which dims
    share it (the module docstring), most dims first; duplicates dropped."""
    last = _last_dim(inputs)
    if last is None or size >= last:
        return []
    multi = [isinstance(x, torch.Tensor) and x.dim() >= 2 for x in inputs]
    first = multi.index(True)
    every_dim = [
        [d for d, n in enumerate(x.shape) if n == last] if multi[i] else []
        for i, x in enumerate(inputs)
    ]
    last_dims = [
        [x.dim() - 1] if multi[i] and x.shape[-1] == last else [] for i, x in enumerate(inputs)
    ]
    first_only = [[inputs[i].dim() - 1] if i == first else [] for i in range(len(inputs))]
    groups: list[list[list[int]]] = []
    for group in (every_dim, last_dims, first_only):
        if group not in groups:
            groups.append(group)
    return [
        [_narrowed(x, dims, size) if dims else x for x, dims in zip(inputs, group)]
        for group in groups
    ]


def _narrowed(x: torch.Tensor, dims: list[int], size: int) -> torch.Tensor:
    for d in dims:
        x = x.narrow(d, 0, size)
    return x.clone()


def derive(inputs: list, shape: DerivedShape, defined: Callable[[list], bool]) -> list | None:
    """The first reading of `shape` the reference is `defined` on, or None."""
    for candidate in readings(inputs, shape.leading):
        if shape.inner is None:
            if defined(candidate):
                return candidate
            continue
        for narrowed in inner_readings(candidate, shape.inner):
            if defined(narrowed):
                return narrowed
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
