"""The registry of template families: each module's `FAMILY`, by name and by core-op kind.

The one list of family modules. plan.py matches core ops through `BY_KIND`
and written-out forms through `SPELLINGS`; config.py and render.py find a
plan's family through `BY_NAME`. Adding a family: write templates/<name>.py
ending in `FAMILY = Family(...)` (family.py), and add its module here.
"""

from __future__ import annotations

from .family import Family
from .templates import (
    attention,
    conv,
    loss,
    matmul,
    norm,
    pointwise,
    pool,
    reduction,
    scan,
    softmax,
)

# The order of FAMILIES (and in which spellings are tried).
_MODULES = (pointwise, reduction, scan, softmax, norm, loss, matmul, conv, attention, pool)


def _by_kind(families: tuple[Family, ...]) -> dict[str, Family]:
    table: dict[str, Family] = {}
    for family in families:
        for kind in sorted(family.kinds):
            if kind in table:
                raise ValueError(f"{kind} is claimed by {table[kind].name} and {family.name}")
            table[kind] = family
    return table


REGISTERED: tuple[Family, ...] = tuple(module.FAMILY for module in _MODULES)
BY_NAME: dict[str, Family] = {family.name: family for family in REGISTERED}
BY_KIND: dict[str, Family] = _by_kind(REGISTERED)
SPELLINGS = tuple(spelling for family in REGISTERED for spelling in family.spellings)


def family_of(name: str) -> Family:
    """The registered family called `name` (a Plan's `family`)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown family {name}") from None
