"""Where kernelwright keeps things on disk (XDG base directories)."""

from __future__ import annotations

import os
from pathlib import Path

APP = "kernelwright"


def _xdg(var: str, fallback: str) -> Path:
    base = os.environ.get(var) or os.path.join(os.path.expanduser("~"), fallback)
    return Path(base) / APP


def cache_dir() -> Path:
    """Results store and measured device peaks: safe to delete, costly to rebuild."""
    return _xdg("XDG_CACHE_HOME", ".cache")


def data_dir() -> Path:
    """Skills written back after successful searches: the user's to keep."""
    return _xdg("XDG_DATA_HOME", ".local/share")


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config")


def default_store_path() -> Path:
    return cache_dir() / "results.sqlite"
