"""What a template family declares: how it matches, its config space, its default, how it renders.

Each family lives in one module, `templates/<family>.py`, which ends with a
`FAMILY = Family(...)`; `families.py` lists those modules once, and the
planner (plan.py), the config search (config.py) and the renderer
(render.py) dispatch through that registry instead of naming families.
Adding a family touches its module, the registry's list and its tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# (family, attrs, prologue steps, in_shape, bias): `bias` is None or
# (state_dict name, shape it broadcasts from), added to the head before the epilogue.
HeadMatch = tuple[str, dict, tuple, tuple, "tuple[str, tuple] | None"]
# (family, op, in_shape, attrs, prologue steps, epilogue steps): a multi-op spelling
# recognised as one template before the planner looks for a single core op.
SpellingMatch = tuple[str, str, tuple, dict, tuple, tuple]


@dataclass(frozen=True)
class Family:
    """One kernel family.

    `match(ctx, head)` reads a core op whose canonical kind is in `kinds` (the
    planner's context and the graph op, see plan.py) and returns a HeadMatch,
    or raises expr.Unsupported with a sentence; a family with no core op
    (pointwise) has no `match`. `spellings` are matchers `ctx -> SpellingMatch
    | None` for written-out forms (an RMS norm as x * rsqrt(mean(x²) + eps)),
    tried before the head walk. `space(plan, device)` lists the valid configs
    in a deterministic order; `default(plan, device)` is the family's
    heuristic choice (config.default_config snaps it into the space);
    `render(plan, config)` returns (kernel source, forward lines). `device` is
    the search's device dict (heuristics.device_facts reads it), None when
    unknown. `library_first(plan)` says that as a stage among other Triton
    stages this plan's template is expected to lose to PyTorch's own op, so
    the partition that runs it as the library call is the first candidate
    (choices.partition_choices); the template is still searched.
    `permuted_output`: its kernels write the core op's result through strides,
    so a transpose or permute of that result is planned as this family with the
    plan's attr "out_perm" (`out_shape` is then the permuted shape, and the
    epilogue runs on it): `conv1d(...).transpose(1, 2)` writes no copy.
    """

    name: str
    kinds: frozenset[str]
    match: Callable[[Any, Any], HeadMatch] | None
    space: Callable[[Any, dict | None], list[dict]]
    default: Callable[[Any, dict | None], dict]
    render: Callable[[Any, dict], tuple[str, list[str]]]
    spellings: tuple[Callable[[Any], SpellingMatch | None], ...] = ()
    library_first: Callable[[Any], bool] | None = None
    permuted_output: bool = False
