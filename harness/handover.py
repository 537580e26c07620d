"""Worker side: the candidate's verification outputs, handed from runner to judge as data.

The runner (`harness/worker.py --runner`) runs the candidate; the judge (harness/judge.py)
holds the channel to the parent and never runs candidate code. For each
verification call the runner writes every trial's output with `torch.save` and
one manifest line (seeds, first-pass or re-verification, files). The judge
loads them with `torch.load(weights_only=True)`, which builds tensors and
nothing else, and replays them through the same comparison the runner used,
against a reference it computes itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from kernelwright.harness.derived_shapes import DerivedShape

MANIFEST = "manifest.jsonl"
# An output with more elements than this (4 MiB of fp32) is handed over as this many
# of its elements, at positions drawn from the trial's seed. The count and positions
# depend on the shape alone, so the judge draws the same ones from its reference and
# from a float64 reference alike. A runner that knows the positions gains nothing: to
# be right there it must compute the answer, and the judge only ever refuses a claim.
# An honest kernel's wrong elements are the runner's own full comparison's to find.
# 2^24 elements (64 MiB a trial) cost an H200 evaluation of a 6.4 GB ReLU 0.6 s to
# write and 0.4 s to read back, a quarter of its verification
# (scripts/trial_step_times.py, benchmarks/results/h200-2026-12-04-trial-steps).
SAMPLE_ELEMENTS = 1 << 20


def sampled(value: Any, seed: int) -> Any:
    """The part of one output (a tensor, or a tuple/list of them) that is handed over."""
    if isinstance(value, (list, tuple)):
        return type(value)(sampled(v, seed + i) for i, v in enumerate(value))
    if not isinstance(value, torch.Tensor) or type(value) is not torch.Tensor:
        return value  # not a plain tensor: handed over as it is, and judged so
    value = value.detach()
    count = SAMPLE_ELEMENTS
    if value.numel() <= count:
        return value
    generator = torch.Generator(device=value.device).manual_seed(seed)
    positions = torch.randint(0, value.numel(), (count,), generator=generator, device=value.device)
    return value.reshape(-1)[positions]


def shapes(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [shapes(v) for v in value]
    return list(value.shape) if isinstance(value, torch.Tensor) else None


class InputsDiffer(Exception):
    """The runner's outputs fail the judge's check on a trial whose inputs the judge drew
    otherwise than the runner says it did: they answered another question, so they fail
    nothing of the candidate (harness/evaluate.py runs such an evaluation once more)."""


class OutputHandover:
    """Runner side: one verification call's outputs, written as they are produced."""

    def __init__(
        self, folder: Path, seeds: list[int], first: bool, shape: DerivedShape | None = None
    ) -> None:
        self.folder, self.seeds, self.first, self.shape = folder, list(seeds), first, shape
        manifest = folder / MANIFEST
        self.call = len(manifest.read_text().splitlines()) if manifest.exists() else 0
        self.files: list[str] = []

    @classmethod
    def open(
        cls, folder: str | None, seeds: list[int], first: bool, shape: DerivedShape | None = None
    ) -> OutputHandover | None:
        return cls(Path(folder), seeds, first, shape) if folder else None

    def add(self, output: Any, seed: int, input_digests: list | None = None) -> None:
        """`input_digests`: the trial's inputs as the runner drew them (verify.input_digests),
        so the judge can tell a verdict on other inputs from one on its own."""
        name = f"call{self.call}-trial{len(self.files)}.pt"
        record = {"values": sampled(output, seed), "shapes": shapes(output)}
        if input_digests is not None:
            record["input_digests"] = digest_values(input_digests)
        torch.save(record, self.folder / name)
        self.files.append(name)

    def close(self) -> None:
        line: dict[str, Any] = {"seeds": self.seeds, "first": self.first, "files": self.files}
        if self.shape is not None:  # a derived shape's trial (harness/derived_shapes.py)
            line["shape"] = self.shape.as_json()
        with open(self.folder / MANIFEST, "a") as handle:
            handle.write(json.dumps(line) + "\n")


def digest_values(digests: list) -> list[list[int] | None]:
    """verify.InputDigest values as plain integers: what the runner hands over and the
    judge compares, whatever device each drew its inputs on."""
    return [None if d is None else [int(v) for v in d.value.tolist()] for d in digests]


def differing_inputs(runner: list, judge: list) -> str:
    """Which inputs' digests differ, as the judge's message names them ("0, 2")."""
    if len(runner) != len(judge):
        return f"count: {len(runner)} handed over, {len(judge)} drawn"
    return ", ".join(str(i) for i, (a, b) in enumerate(zip(runner, judge)) if a != b)


def handed_over_calls(folder: Path) -> list[dict[str, Any]]:
    """Judge side: the verification calls the runner reported, in order."""
    manifest = folder / MANIFEST
    if not manifest.exists():
        return []
    calls = []
    for line in manifest.read_text().splitlines():
        data = json.loads(line)
        calls.append(
            {
                "seeds": [int(s) for s in data["seeds"]],
                "first": bool(data["first"]),
                "files": [folder / Path(str(f)).name for f in data["files"]],
                "shape": DerivedShape.from_json(data["shape"]) if data.get("shape") else None,
            }
        )
    return calls


class ReplayedCandidate(torch.nn.Module):
    """Stands where ModelNew stood in the runner: returns its (sampled) outputs, trial by
    trial. `as_handed_over` turns the judge's reference output into the same view."""

    def __init__(self, files: list[Path], device: torch.device) -> None:
        super().__init__()
        self._files = iter(files)
        self._device = device
        self._shapes: Any = None
        self.input_digests: list | None = None  # the last trial's, as the runner drew them

    def forward(self, *inputs: Any) -> Any:
        path = next(self._files, None)
        if path is None:
            raise RuntimeError("the runner handed over fewer outputs than it ran trials")
        data = torch.load(path, map_location=self._device, weights_only=True)
        self._shapes = data["shapes"]
        self.input_digests = data.get("input_digests")
        return data["values"]

    def as_handed_over(self, reference: Any, seed: int) -> Any:
        if reference is None:
            return None
        if shapes(reference) != self._shapes:
            raise ValueError(
                f"output shape {self._shapes} where the reference's is {shapes(reference)}"
            )
        return sampled(reference, seed)
