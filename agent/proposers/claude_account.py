"""Tokens spent and dollars estimated by one search's Claude proposer.

Prices live in `claude_prices.json` next to this module (data, not code). A
model missing from the table still has its tokens counted; its cost is None
with a note, because a guessed price would be a number we did not look up.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

PRICES_PATH = Path(__file__).with_name("claude_prices.json")
TOKEN_KINDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
_PRICE_OF_KIND = {
    "input_tokens": "input",
    "output_tokens": "output",
    "cache_read_tokens": "cache_read",
    "cache_write_tokens": "cache_write",
}


@lru_cache(maxsize=1)
def load_prices() -> dict[str, dict[str, float]]:
    return json.loads(PRICES_PATH.read_text(encoding="utf-8"))["models"]


def price_for(model: str) -> dict[str, float] | None:
    """Exact id first; a dated snapshot (`claude-haiku-4-5-20251001`) uses its alias's price."""
    prices = load_prices()
    if model in prices:
        return prices[model]
    return prices.get(re.sub(r"-\d{8}$", "", model))


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    @classmethod
    def from_sdk(cls, usage: Any) -> Usage:
        """The SDK's `Usage` (cache fields may be None on older models or proxies)."""
        return cls(
            input_tokens=int(getattr(usage, "input_tokens", 0) or 0),
            output_tokens=int(getattr(usage, "output_tokens", 0) or 0),
            cache_read_tokens=int(getattr(usage, "cache_read_input_tokens", 0) or 0),
            cache_write_tokens=int(getattr(usage, "cache_creation_input_tokens", 0) or 0),
        )

    def cost_usd(self, model: str) -> float | None:
        price = price_for(model)
        if price is None:
            return None
        total = sum(getattr(self, kind) * price[_PRICE_OF_KIND[kind]] for kind in TOKEN_KINDS)
        return total / 1_000_000

    def as_dict(self) -> dict[str, int]:
        return {kind: getattr(self, kind) for kind in TOKEN_KINDS}


class TokenAccount:
    """Running totals for the report; `as_dict()` is what `proposer.account` shows."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.requests = 0  # answered API calls (each one billed)
        self.retries = 0  # our own backoff rounds after 429/529/5xx/connection errors
        self.failed_calls = 0  # calls that ended in an error after all retries
        self.rejected_responses = 0  # answered, billed, but no usable ModelNew
        self.proposals = 0
        self._tokens = dict.fromkeys(TOKEN_KINDS, 0)
        self._cost = 0.0

    def add(self, usage: Usage) -> None:
        self.requests += 1
        for kind in TOKEN_KINDS:
            self._tokens[kind] += getattr(usage, kind)
        self._cost += usage.cost_usd(self.model) or 0.0

    def as_dict(self) -> dict[str, Any]:
        priced = price_for(self.model) is not None
        return {
            "model": self.model,
            "requests": self.requests,
            "retries": self.retries,
            "failed_calls": self.failed_calls,
            "rejected_responses": self.rejected_responses,
            "proposals": self.proposals,
            **self._tokens,
            "estimated_usd": round(self._cost, 6) if priced else None,
            "price_note": None if priced else f"no price for {self.model} in {PRICES_PATH.name}",
        }
