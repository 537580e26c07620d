"""Server settings: typed, parsed once, invalid values replaced by defaults with a
message that says which and why (jedi-language-server's initialization options).

They come from `initializationOptions` (either flat or under "kernelwright")
and from `workspace/configuration` section "kernelwright", camelCase keys:

    device: "auto" | "cpu" | "cuda"        budget: int >= 1
    timeLimitS: number > 0                 strategy: "mcts" | "evolve"
    proposers: [str, ...]                  model: str | null
    storePath: str | null                  shapeCommand: [str, ...] | null
    slowSpotSpeedup: number > 1  (a measured candidate this much faster marks a slow spot)
    requireSandbox: bool | null  (null: required when the Claude proposer joins;
                                  harness/sandbox.py, docs/security.md)
    executor: "local" | "ray"    (where candidates run: harness/executors.py)
    rayAddress: str | null       (the Ray cluster to join; null: a local Ray instance)

Settings only name the executor: the server never imports Ray (nor torch, nor the
agent); the search process it starts makes the executor.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from kernelwright.harness.paths import cache_dir

SECTION = "kernelwright"
DEVICES = ("auto", "cpu", "cuda")
STRATEGIES = ("mcts", "evolve")
EXECUTORS = ("local", "ray")  # harness/executors.py EXECUTORS, not imported: see above


@dataclass(frozen=True)
class Settings:
    device: str = "auto"
    budget: int = 8
    time_limit_s: float = 300.0
    strategy: str = "mcts"
    proposers: tuple[str, ...] = ("embedded",)
    model: str | None = None
    store_path: str | None = None
    shape_command: tuple[str, ...] | None = None
    slow_spot_speedup: float = 1.2
    require_sandbox: bool | None = None
    executor: str = "local"
    ray_address: str | None = None

    def store_dir(self) -> Path:
        return Path(self.store_path).expanduser().parent if self.store_path else cache_dir()

    def problems_dir(self) -> Path:
        return self.store_dir() / "problems"


_CAMEL = {
    "device": "device",
    "budget": "budget",
    "timeLimitS": "time_limit_s",
    "strategy": "strategy",
    "proposers": "proposers",
    "model": "model",
    "storePath": "store_path",
    "shapeCommand": "shape_command",
    "slowSpotSpeedup": "slow_spot_speedup",
    "requireSandbox": "require_sandbox",
    "executor": "executor",
    "rayAddress": "ray_address",
}


def _check(key: str, value: Any) -> tuple[Any, str | None]:
    """The parsed value, or (None, reason) when it is invalid."""
    if key == "device":
        ok = value in DEVICES
        return value, None if ok else f"must be one of {', '.join(DEVICES)}"
    if key == "executor":
        ok = value in EXECUTORS
        return value, None if ok else f"must be one of {', '.join(EXECUTORS)}"
    if key == "strategy":
        ok = value in STRATEGIES
        return value, None if ok else f"must be one of {', '.join(STRATEGIES)}"
    if key == "budget":
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
        return value, None if ok else "must be an integer of at least 1"
    if key in ("time_limit_s", "slow_spot_speedup"):
        low = 1.0 if key == "slow_spot_speedup" else 0.0
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value > low
        return float(value) if ok else None, None if ok else f"must be a number above {low:g}"
    if key in ("proposers", "shape_command"):
        if value is None and key == "shape_command":
            return None, None
        ok = bool(
            isinstance(value, list) and value and all(isinstance(v, str) and v for v in value)
        )
        return (tuple(value) if ok else None), None if ok else "must be a non-empty list of strings"
    if key == "require_sandbox":
        ok = value is None or isinstance(value, bool)
        return value, None if ok else "must be true, false or null"
    if key in ("model", "store_path", "ray_address"):
        ok = value is None or (isinstance(value, str) and value.strip() != "")
        return value, None if ok else "must be a non-empty string or null"
    return value, "is not a setting"


def parse(raw: Any, base: Settings | None = None) -> tuple[Settings, list[str]]:
    """Settings from a client's JSON object, and one message per rejected value."""
    settings = base or Settings()
    if raw is None:
        return settings, []
    if not isinstance(raw, dict):
        return settings, [f"kernelwright settings must be an object, got {type(raw).__name__}"]
    if isinstance(raw.get(SECTION), dict):
        raw = raw[SECTION]
    changes: dict[str, Any] = {}
    messages: list[str] = []
    defaults = Settings()
    for key, value in raw.items():
        name = _CAMEL.get(key, key if key in {f.name for f in fields(Settings)} else None)
        if name is None:
            messages.append(f"kernelwright.{key} is not a setting (ignored)")
            continue
        parsed, reason = _check(name, value)
        if reason is not None:
            messages.append(
                f"kernelwright.{key} {reason}; got {value!r}, using {getattr(defaults, name)!r}"
            )
            parsed = getattr(defaults, name)
        changes[name] = parsed
    return replace(settings, **changes), messages
