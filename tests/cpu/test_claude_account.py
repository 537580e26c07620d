"""Prices come from the data file; snapshots and unknown models are handled honestly."""

from __future__ import annotations

from kernelwright.agent.proposers.claude_account import TokenAccount, Usage, price_for
from kernelwright.agent.proposers.claude_config import DEFAULT_MODEL


def test_the_default_model_has_a_price():
    assert price_for(DEFAULT_MODEL) is not None


def test_a_dated_model_snapshot_is_priced_like_its_alias():
    assert price_for("claude-haiku-4-5-20251001") == price_for("claude-haiku-4-5")
    assert Usage(input_tokens=1_000_000).cost_usd("claude-haiku-4-5-20251001") == 1.0


def test_an_unknown_model_gets_no_invented_cost():
    account = TokenAccount("claude-unknown-1")
    account.add(Usage(input_tokens=10, output_tokens=5))
    shown = account.as_dict()
    assert (shown["input_tokens"], shown["output_tokens"], shown["requests"]) == (10, 5, 1)
    assert shown["estimated_usd"] is None and "claude-unknown-1" in shown["price_note"]
