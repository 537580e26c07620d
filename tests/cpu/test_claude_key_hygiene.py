"""The API key reaches the API and nothing else: not logs, errors, proposals or the account."""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import traceback
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/ is not a package

from kernelwright.agent.proposers.base import ProposerError

from tests.fakes.claude_context import GOOD_REPLY, SECRET, context, proposer_for
from tests.fakes.messages_api import (
    FakeMessagesAPI,
    bad_request,
    message_reply,
    rate_limited,
)


@pytest.fixture(autouse=True)
def no_real_credentials(monkeypatch, tmp_path):
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))


async def test_key_never_leaks_through_a_full_session(caplog):
    caplog.set_level(logging.DEBUG)  # every logger, the SDK's and httpx's included
    replies = [
        rate_limited(retry_after="0.001"),
        message_reply(GOOD_REPLY),
        # A server that echoes the key back in its error must not get it into our error text.
        bad_request(f"invalid x-api-key: {SECRET}"),
    ]
    with FakeMessagesAPI(replies) as api:
        proposer = proposer_for(api, [], max_retries=1)
        proposals = await proposer.propose(context())
        with pytest.raises(ProposerError) as failure:
            await proposer.propose(context())

    assert api.requests[0].credential() == SECRET  # the key did its one job
    assert any("retry" in record.getMessage().lower() for record in caplog.records)
    assert "key present" in caplog.text
    assert SECRET not in caplog.text
    for record in caplog.records:
        assert SECRET not in repr(record.args) and SECRET not in record.getMessage()

    assert "[redacted]" in str(failure.value)
    error_text = "".join(traceback.format_exception(failure.value))
    assert SECRET not in error_text and SECRET not in repr(failure.value)
    # No chained SDK exception either: its request object carries the auth header.
    assert failure.value.__cause__ is None and failure.value.__context__ is None

    dumped = json.dumps([dataclasses.asdict(p) for p in proposals], default=repr)
    assert SECRET not in dumped and SECRET not in repr(proposals)
    assert SECRET not in json.dumps(proposer.account) and SECRET not in repr(proposer)
