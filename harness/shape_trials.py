"""Worker side: a candidate verified at the derived shapes (harness/derived_shapes.py).

The runner's half: it picks, for each derived shape, the reading of the inputs
the reference accepts, asks the candidate's `kw_accepts` whether it serves
them, and runs the trial on those same inputs. The judge replays the trials
through `EvalPipeline.verify_trials(shape=...)`, rebuilding the inputs from the
seed alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kernelwright.harness import derived_shapes
from kernelwright.harness.messages import ACCEPTS, Outcome
from kernelwright.harness.pipeline import EvalPipeline, seeded_inputs
from kernelwright.harness.verdicts import Verdict, classify_exception, error_message


def verify_other_shapes(pipeline: EvalPipeline) -> list[dict[str, str]]:
    """The candidate at the derived shapes.

    A candidate that declares the inputs it was built for (`kw_accepts`, as the
    generator's do) is verified where it accepts them; where it declines, the
    applied code runs the original PyTorch, which the report says. It must
    accept the problem's own shape: declining there, applied, it never runs.
    Returns one entry per derived shape: its shape, which dims changed, and `verified`,
    `original` (declined) or `outside` (the reference itself refuses that shape)."""
    accepts = getattr(pipeline.module, ACCEPTS, None)
    base = pipeline.request.seed + derived_shapes.SEED_OFFSET
    inputs = seeded_inputs(pipeline.problem, base, pipeline.device)
    if callable(accepts) and not _accepts(accepts, inputs):
        raise Verdict(
            Outcome.WRONG,
            f"its `{ACCEPTS}` declines the problem's own shape "
            f"({derived_shapes.describe(inputs)}): applied, its kernels would never run",
        )
    shapes: list[dict[str, str]] = []
    for index, shape in enumerate(derived_shapes.planned(inputs)):
        if index:
            inputs = seeded_inputs(pipeline.problem, base + index, pipeline.device)
        derived = derived_shapes.derive(inputs, shape, pipeline.reference_defined_on)
        del inputs
        if derived is None:
            shapes.append(
                {"shape": shape.describe(), "derived": shape.describe(), "status": "outside"}
            )
            continue
        entry = {
            "shape": derived_shapes.describe(derived),
            "derived": shape.describe(),  # what changed: `leading dim 1, last dim 4095`
            "status": "verified",
        }
        if callable(accepts) and not _accepts(accepts, derived):
            entry["status"] = "original"
        else:
            pipeline.verify_trials([base + index], first=False, shape=shape, derived=derived)
        del derived
        shapes.append(entry)
    return shapes


def _accepts(accepts: Callable[..., Any], inputs: list) -> bool:
    try:
        return bool(accepts(*inputs))
    except Exception as err:
        raise Verdict(classify_exception(err), error_message(err, f"calling `{ACCEPTS}`")) from err
