"""Parent side: keep secrets out of anything that comes back from a worker.

Problem and candidate code is untrusted. The sandbox (harness/sandbox.py)
keeps API keys out of its environment and `$HOME` out of its sight, but text
it sends back (messages, tracebacks, its log) still reaches the CLI, the
results store, the editor and the next prompt. Every such string passes
`scrub` first, in harness/pool.py, the one place worker output enters.

Two nets: the values of secrets this process knows (secret-named environment
variables, keys registered by whoever loaded them, `api_key`-like entries of
kernelwright's config file) are replaced wherever they appear; and text that
looks like a credential (provider key prefixes, private-key blocks,
`token=...` assignments) is replaced even when its value is not known here.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from typing import Any

from kernelwright.harness.paths import config_dir

REDACTED = "(redacted)"  # neither rich markup nor Markdown: shown as written

# Environment names that hold credentials. Also used by the sandbox's
# environment allowlist, so a name that matches never reaches a worker.
SECRET_NAME = re.compile(
    r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|SIGNATURE", re.IGNORECASE
)
_MIN_SECRET_LEN = 8  # shorter values ("1", "true") would redact ordinary text

_PATTERNS = [
    re.compile(r"sk-ant-[A-Za-z0-9_\-]{8,}"),  # Anthropic
    re.compile(r"\bsk-[A-Za-z0-9_\-]{20,}"),  # OpenAI-style
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}"),  # GitHub
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bxox[abprs]-[A-Za-z0-9\-]{10,}"),  # Slack
    re.compile(r"\bhf_[A-Za-z0-9]{20,}"),  # Hugging Face
    re.compile(
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.DOTALL
    ),
]
# `api_key = "..."`, `token: ...`, `Authorization: Bearer ...`: keep the name, drop the value.
_ASSIGNMENT = re.compile(
    r"(?i)\b([\w\-]*(?:api[_\-]?key|token|secret|passw(?:or)?d|authorization)[\w\-]*"
    r"[\"']?\s*[:=]\s*(?:bearer\s+)?)[\"']?[^\s\"',;]{6,}"
)

_registered: set[str] = set()


def register_secret(value: str | None) -> None:
    """A secret this process holds (a loaded API key): redact it wherever it appears."""
    if value and len(value.strip()) >= _MIN_SECRET_LEN:
        _registered.add(value.strip())


def _config_secrets() -> set[str]:
    path = config_dir() / "config.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return set()
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                if isinstance(value, str) and SECRET_NAME.search(name):
                    found.add(value.strip())
                walk(value)

    walk(data)
    return found


def known_secrets(environ: Mapping[str, str] | None = None) -> set[str]:
    env = os.environ if environ is None else environ
    values = {v.strip() for k, v in env.items() if SECRET_NAME.search(k)}
    values |= _registered | _config_secrets()
    return {v for v in values if len(v) >= _MIN_SECRET_LEN}


def scrub(text: str, secrets: set[str] | None = None) -> str:
    """`text` with every known secret and credential-looking value replaced."""
    if not text:
        return text
    for secret in sorted(known_secrets() if secrets is None else secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return _ASSIGNMENT.sub(lambda m: m.group(1) + REDACTED, text)


def scrub_data(data: Any, secrets: set[str] | None = None) -> Any:
    """Every string inside a JSON-like value scrubbed (keys included)."""
    secrets = known_secrets() if secrets is None else secrets
    if isinstance(data, str):
        return scrub(data, secrets)
    if isinstance(data, dict):
        return {scrub_data(k, secrets): scrub_data(v, secrets) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [scrub_data(v, secrets) for v in data]
    return data
