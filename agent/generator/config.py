"""Config spaces and default choices through the family registry, and the search moves.

Every config is a flat JSON dict. Each family declares its space and its
heuristic default in its own module (templates/<family>.py, registered in
families.py); `config_space` and `default_config` ask the plan's family, for
the search's device (heuristics.device_facts: SM count, shared memory per
block). `mutate`/`crossover` move within the space so the search never
proposes a config the templates cannot render.
"""

from __future__ import annotations

import math
import random

from .families import family_of
from .plan import Plan
from .templates.matmul import triton_matmul_config


def config_space(plan: Plan, device: dict | None = None) -> list[dict]:
    """The plan's valid configs on `device` (None: an H100/H200's facts), in a
    deterministic order."""
    return family_of(plan.family).space(plan, device)


def default_config(plan: Plan, device: dict | None) -> dict:
    """The family's heuristic choice, snapped into config_space (so search moves start from it)."""
    return _repair(plan, family_of(plan.family).default(plan, device), device)


def triton_matmul_default(plan: Plan, device: dict | None = None) -> dict:
    """The Triton tile kernel's starting config, snapped into the space."""
    return _repair(plan, triton_matmul_config(plan, device), device)


# --- search moves -------------------------------------------------------------


def config_distance(a: dict, b: dict) -> int:
    """How many keys two configs disagree on."""
    return sum(1 for k in set(a) | set(b) if a.get(k) != b.get(k))


def config_changes(before: dict, after: dict) -> str:
    """The keys that differ, as "KEY old→new, ..." (empty when the configs agree)."""
    return ", ".join(
        f"{k} {before.get(k)}→{after.get(k)}"
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    )


# A skill's config fitted to another shape may differ in this many keys at most;
# beyond that it is a different kernel, not the skill's.
FIT_MAX_CHANGES = 2


def fit_config(plan: Plan, config: dict, device: dict | None = None) -> dict | None:
    """`config` itself when this plan's space holds it, else the nearest config of
    the space that differs in at most FIT_MAX_CHANGES keys, else None.

    A skill from another shape can name values this shape's space lacks: a
    one-pass softmax over 32000 classes has BLOCK_R 32768, one over 16000 needs
    16384; fp32's PRECISION has no meaning for fp16 tiles."""
    space = config_space(plan, device)
    fitted = _nearest(space, _tile_kept(config, space))
    return fitted if config_distance(fitted, config) <= FIT_MAX_CHANGES else None


def _tile_kept(config: dict, space: list[dict]) -> dict:
    """`config` with a BLOCK_R x BLOCK_INNER row tile whose BLOCK_INNER this space lacks
    moved to the space's nearest BLOCK_INNER, BLOCK_R grown or shrunk to keep about as many
    elements: snapped key by key, a sum's 64 x 128 tile over strided rows became 64 x 1
    on a logsumexp's contiguous rows, walking them 64 elements at a time, ten times slower
    than the default on an H200 (benchmarks/results/h200-2026-12-05-one-comparison-kernel)."""
    block_r, block_inner = config.get("BLOCK_R"), config.get("BLOCK_INNER")
    if not isinstance(block_r, int) or not isinstance(block_inner, int) or block_inner < 1:
        return config
    inners = {c["BLOCK_INNER"] for c in space if isinstance(c.get("BLOCK_INNER"), int)}
    if not inners or block_inner in inners:
        return config
    nearest = min(sorted(inners), key=lambda i: abs(math.log2(max(i, 1) / block_inner)))
    block_rs = sorted(
        {
            c["BLOCK_R"]
            for c in space
            if c.get("BLOCK_INNER") == nearest and isinstance(c.get("BLOCK_R"), int)
        }
    )
    if not block_rs:
        return config
    elements = block_r * block_inner
    kept = max((b for b in block_rs if b * nearest <= elements), default=block_rs[0])
    return {**config, "BLOCK_INNER": nearest, "BLOCK_R": kept}


def _repair(plan: Plan, config: dict, device: dict | None = None) -> dict:
    """The config of the space closest to `config` (first in space order on ties)."""
    return _nearest(config_space(plan, device), config)


def _nearest(space: list[dict], config: dict) -> dict:
    if config in space:
        return dict(config)
    # min() apart from dict(): inside dict(...) mypy infers the lambda's argument as a
    # SupportsKeysAndGetItem, not the space's dict.
    nearest = min(space, key=lambda c: config_distance(c, config))
    return dict(nearest)


def mutate(
    plan: Plan, config: dict, rng: random.Random, device: dict | None = None
) -> tuple[dict, str]:
    """One neighbouring config: a key moves one step in its sorted values."""
    space = config_space(plan, device)
    options: dict[str, list] = {}
    for candidate in space:
        for key, value in candidate.items():
            options.setdefault(key, [])
            if value not in options[key]:
                options[key].append(value)
    keys = sorted(k for k, values in options.items() if len(values) > 1)
    if not keys:
        return dict(config), "no alternative config"
    for _ in range(16):
        key = rng.choice(keys)
        values = sorted(options[key], key=lambda v: (str(type(v)), v))
        current = config.get(key)
        index = values.index(current) if current in values else 0
        step = rng.choice([-1, 1]) if 0 < index < len(values) - 1 else (1 if index == 0 else -1)
        new_value = values[index + step]
        matches = [c for c in space if c.get(key) == new_value]
        if not matches:
            continue
        nearest = min(matches, key=lambda c: config_distance(c, {**config, key: new_value}))
        child = dict(nearest)
        if child != config:
            return child, config_changes(config, child)
    return dict(config), "no alternative config"


def crossover(plan: Plan, a: dict, b: dict, rng: random.Random, device: dict | None = None) -> dict:
    """Each key from one parent at random, then snapped to the nearest valid config."""
    keys = sorted(set(a) | set(b))
    mixed = {k: (a if rng.random() < 0.5 else b).get(k, a.get(k, b.get(k))) for k in keys}
    return _repair(plan, mixed, device)
