"""Settings of the Claude proposer, parsed once from the environment and config.toml.

Sources, first match wins: the environment (`ANTHROPIC_API_KEY`,
`ANTHROPIC_BASE_URL`) — so one shell can override the file — then the
`[claude]` table of `config_dir()/config.toml`, then defaults. An invalid
setting never stops a search: it is reported in `notes` and the default used.
The key itself is never part of a repr, a note or a log line.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernelwright.harness.paths import config_dir
from kernelwright.harness.secrets import register_secret

# Newest Sonnet the installed SDK names (anthropic/types/model_param.py):
# strong at code, and cheaper per candidate than Opus for a many-node search.
DEFAULT_MODEL = "claude-sonnet-5-5"
DEFAULT_MAX_TOKENS = 16_000
# The SDK refuses non-streaming requests whose max_tokens implies > 10 minutes
# (60 min * max_tokens / 128k); we do not stream, so stay below that line.
MAX_NONSTREAMING_TOKENS = 21_000
DEFAULT_SDK_MAX_RETRIES = 2

_KNOWN_KEYS = {"api_key", "model", "base_url", "max_tokens", "max_retries", "timeout_s"}


@dataclass(frozen=True)
class ClaudeConfig:
    api_key: str | None = field(default=None, repr=False)
    key_source: str | None = None  # "ANTHROPIC_API_KEY" | "config.toml" | None
    model: str = DEFAULT_MODEL
    base_url: str | None = None  # None: the SDK's own default endpoint
    max_tokens: int = DEFAULT_MAX_TOKENS
    max_retries: int = DEFAULT_SDK_MAX_RETRIES  # the SDK's own retries per attempt
    timeout_s: float = 600.0
    config_path: str | None = None
    notes: tuple[str, ...] = ()  # problems found while parsing, one line each


def default_config_path() -> Path:
    return config_dir() / "config.toml"


def _read_table(path: Path, notes: list[str]) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        notes.append(f"{path}: unreadable ({type(exc).__name__}); Claude settings from it ignored")
        return {}
    table = data.get("claude", {})
    if not isinstance(table, dict):
        notes.append(f"{path}: [claude] is not a table; ignored")
        return {}
    for unknown in sorted(set(table) - _KNOWN_KEYS):
        notes.append(f"{path}: unknown setting claude.{unknown} ignored")
    return table


def _text(table: Mapping[str, Any], name: str, notes: list[str]) -> str | None:
    value = table.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        notes.append(f"claude.{name} must be a non-empty string; ignored")
        return None
    return value.strip()


def _number(
    table: Mapping[str, Any],
    name: str,
    default: float,
    low: float,
    high: float,
    notes: list[str],
    kind: type = int,
) -> Any:
    value = table.get(name)
    if value is None:
        return default
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or (kind is int and not isinstance(value, int))
    ):
        notes.append(f"claude.{name} must be a number; using {default}")
        return default
    if not low <= value <= high:
        notes.append(f"claude.{name}={value} outside {low}..{high}; using {default}")
        return default
    return kind(value)


def load_claude_config(
    environ: Mapping[str, str] | None = None, path: str | os.PathLike[str] | None = None
) -> ClaudeConfig:
    env = os.environ if environ is None else environ
    config_path = Path(path) if path is not None else default_config_path()
    notes: list[str] = []
    table = _read_table(config_path, notes)

    env_key = (env.get("ANTHROPIC_API_KEY") or "").strip()
    file_key = _text(table, "api_key", notes)
    api_key, key_source = (
        (env_key, "ANTHROPIC_API_KEY")
        if env_key
        else (file_key, "config.toml")
        if file_key
        else (None, None)
    )
    register_secret(api_key)  # whatever comes back from a worker is scrubbed of it
    base_url = (env.get("ANTHROPIC_BASE_URL") or "").strip() or _text(table, "base_url", notes)
    return ClaudeConfig(
        api_key=api_key,
        key_source=key_source,
        model=_text(table, "model", notes) or DEFAULT_MODEL,
        base_url=base_url,
        max_tokens=_number(
            table, "max_tokens", DEFAULT_MAX_TOKENS, 256, MAX_NONSTREAMING_TOKENS, notes
        ),
        max_retries=_number(table, "max_retries", DEFAULT_SDK_MAX_RETRIES, 0, 10, notes),
        timeout_s=_number(table, "timeout_s", 600.0, 10.0, 3600.0, notes, kind=float),
        config_path=str(config_path),
        notes=tuple(notes),
    )


def _sdk_importable() -> bool:
    try:
        import anthropic  # noqa: F401
    except ImportError:
        return False
    return True


def claude_available(config: ClaudeConfig | None = None) -> tuple[bool, str]:
    """Whether the Claude proposer can join a search, and a one-line reason for the notice."""
    config = config if config is not None else load_claude_config()
    if not config.api_key:
        where = config.config_path or str(default_config_path())
        return False, (
            "Claude proposer off: no API key (set ANTHROPIC_API_KEY or [claude] api_key "
            f"in {where}); the embedded generator carries on"
        )
    if not _sdk_importable():
        return False, "Claude proposer off: the anthropic package is not installed"
    return True, f"Claude proposer on: model {config.model}, key present ({config.key_source})"
