"""kernelwright's version, from one place: pyproject.toml's `[project] version`.

Installed, the package metadata carries it; run from a checkout it was not
installed from (a GPU machine that cannot pip install, scripts/device_env.sh),
the checkout's pyproject.toml does, marked as such so reports and skills still
say which code measured them. Standard library only: the language server
imports it without torch.
"""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path


def kernelwright_version() -> str:
    try:
        return importlib.metadata.version("kernelwright")
    except importlib.metadata.PackageNotFoundError:
        return checkout_version()


def checkout_version() -> str:
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    try:
        version = tomllib.loads(pyproject.read_text())["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "absent"
    return f"{version} (checkout, not installed)"
