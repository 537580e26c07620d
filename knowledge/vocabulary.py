"""The names retrieval speaks: bottleneck classes, error classes, op classes, device tags.

The tables live in `data/signals.json` so that adding an error pattern or an op
alias is a data change; this module only loads and applies them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

BOTTLENECK_CLASSES = ("memory-bound", "compute-bound", "latency-bound")


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("data/signals.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _compiled_error_rules() -> tuple[tuple[str, frozenset[str], tuple[re.Pattern[str], ...]], ...]:
    return tuple(
        (
            rule["class"],
            frozenset(rule["outcomes"]),
            tuple(re.compile(p, re.IGNORECASE) for p in rule["patterns"]),
        )
        for rule in _table()["error_classes"]
    )


def error_classes() -> tuple[str, ...]:
    """Every error class `classify_error` can return."""
    named = [rule["class"] for rule in _table()["error_classes"]]
    fallbacks = list(_table()["outcome_fallback"].values())
    return tuple(dict.fromkeys(named + fallbacks))


def op_classes() -> tuple[str, ...]:
    return tuple(_table()["op_classes"])


def known_signals() -> frozenset[str]:
    """Values a document may list under `signals:`."""
    return frozenset(BOTTLENECK_CLASSES) | frozenset(error_classes())


def normalise_bottleneck(label: str | None) -> str | None:
    """Map the profiler's wording ("memory", "launch-bound", ...) to one of BOTTLENECK_CLASSES."""
    if not label:
        return None
    wanted = label.strip().lower()
    for name, aliases in _table()["bottlenecks"].items():
        if wanted == name or wanted in aliases:
            return name
    return None


def classify_error(outcome: str | None, message: str | None) -> str | None:
    """Name the failure class of an evaluation, or None when it succeeded.

    The first rule whose outcome and pattern both match wins; an unmatched
    failure falls back to a per-outcome class so it still retrieves guidance.
    """
    outcome = (outcome or "").lower()
    if outcome in ("", "ok"):
        return None
    text = message or ""
    for name, outcomes, patterns in _compiled_error_rules():
        if outcome in outcomes and any(p.search(text) for p in patterns):
            return name
    return _table()["outcome_fallback"].get(outcome)


def op_classes_for(names: Iterable[str]) -> tuple[str, ...]:
    """Op classes for op names as a graph or a problem spells them (torch.nn.functional.softmax,
    aten::bmm, nn.LayerNorm, ...), in first-seen order."""
    aliases: dict[str, str] = {}
    for op_class, members in _table()["op_classes"].items():
        for member in (op_class, *members):
            aliases.setdefault(member, op_class)
            aliases.setdefault(member.replace("_", ""), op_class)
    found: dict[str, None] = {}
    for name in names:
        # The op is the last recognisable part: "aten._softmax.default", "nn.LayerNorm".
        for part in reversed(re.split(r"[.:/\s()]+", str(name).lower())):
            part = part.strip("_")
            candidates = (part, re.sub(r"\d+d$", "", part), re.sub(r"loss$", "", part))
            op_class = next((aliases[c] for c in candidates if c in aliases), None)
            if op_class:
                found[op_class] = None
                break
    return tuple(found)


def compact(text: str) -> str:
    """Lowercase letters and digits only: "NVIDIA H100 80GB" -> "nvidiah10080gb"."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def device_tags(device_name: str | None) -> frozenset[str]:
    """Tags a device answers to: its family tags from the table plus its own words."""
    if not device_name:
        return frozenset()
    name = compact(device_name)
    tags = {word for word in re.split(r"[^a-z0-9]+", device_name.lower()) if word}
    for family in _table()["device_families"]:
        if family["match"] in name:
            tags.update(family["tags"])
    return frozenset(tags)


def device_matches(doc_devices: Iterable[str], device_name: str | None) -> bool:
    """Does a document written for `doc_devices` apply to this device?

    A tag matches when it is one of the device's family tags or appears in the
    device's name, so a team's private part ("acme-x1") matches "ACME X1 rev B"
    without any table entry.
    """
    if not device_name:
        return False
    tags = device_tags(device_name)
    name = compact(device_name)
    for tag in doc_devices:
        key = tag.lower()
        if key in tags or (compact(key) and compact(key) in name):
            return True
    return False


def device_tag(device_name: str) -> str:
    """One short, stable tag for a device (for skill files): the most specific family tag."""
    name = compact(device_name)
    for family in _table()["device_families"]:
        if family["match"] in name:
            return family["tags"][0]
    return re.sub(r"[^a-z0-9]+", "-", device_name.lower()).strip("-") or "unknown"
