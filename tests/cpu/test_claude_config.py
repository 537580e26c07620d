"""Where the Claude proposer's key and settings come from, and the notice without a key."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/ is not a package

from kernelwright.agent.proposers.base import ProposerError
from kernelwright.agent.proposers.claude import create_claude_proposer
from kernelwright.agent.proposers.claude_config import (
    DEFAULT_MAX_TOKENS,
    DEFAULT_MODEL,
    claude_available,
    load_claude_config,
)

from tests.fakes.claude_context import GOOD_REPLY, SECRET, context
from tests.fakes.messages_api import FakeMessagesAPI, message_reply


@pytest.fixture
def config_home(monkeypatch, tmp_path) -> Path:
    for name in (
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_BASE_URL",
        "ANTHROPIC_PROFILE",
        "ANTHROPIC_CONFIG_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "kernelwright").mkdir()
    return tmp_path / "kernelwright"


def write_config(home: Path, body: str) -> None:
    (home / "config.toml").write_text(body)


def test_without_a_key_the_notice_is_one_line_and_says_how_to_add_one(config_home):
    available, reason = claude_available()
    assert not available
    assert "\n" not in reason
    assert "ANTHROPIC_API_KEY" in reason and str(config_home / "config.toml") in reason
    assert "embedded generator carries on" in reason
    with pytest.raises(ProposerError, match="no API key"):
        create_claude_proposer()


def test_key_model_and_limits_come_from_the_config_file(config_home):
    write_config(
        config_home,
        f'[claude]\napi_key = "{SECRET}"\nmodel = "claude-opus-5-5"\n'
        "max_tokens = 8000\nmax_retries = 4\n",
    )
    config = load_claude_config()
    assert config.api_key == SECRET and config.key_source == "config.toml"
    assert (config.model, config.max_tokens, config.max_retries) == ("claude-opus-5-5", 8000, 4)
    assert config.notes == ()
    available, reason = claude_available(config)
    assert available and "claude-opus-5-5" in reason and "key present" in reason


def test_environment_key_and_base_url_win_over_the_file(config_home, monkeypatch):
    write_config(config_home, '[claude]\napi_key = "from-file"\nbase_url = "http://file:1"\n')
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    config = load_claude_config()
    assert config.api_key == SECRET and config.key_source == "ANTHROPIC_API_KEY"
    assert config.base_url == "http://127.0.0.1:9"


def test_invalid_settings_fall_back_to_defaults_with_a_note(config_home):
    write_config(
        config_home,
        f'[claude]\napi_key = "{SECRET}"\nmodel = 3\nmax_tokens = 500000\ncolour = "blue"\n',
    )
    config = load_claude_config()
    assert config.model == DEFAULT_MODEL and config.max_tokens == DEFAULT_MAX_TOKENS
    notes = " | ".join(config.notes)
    assert "claude.model" in notes and "claude.max_tokens=500000" in notes
    assert "claude.colour" in notes


def test_an_unparsable_config_file_is_reported_not_fatal(config_home):
    write_config(config_home, "[claude\napi_key = ")
    config = load_claude_config()
    assert config.api_key is None
    assert "unreadable" in config.notes[0]


def test_the_key_is_not_in_the_config_repr(config_home, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    assert SECRET not in repr(load_claude_config())


async def test_config_file_base_url_is_where_requests_go(config_home):
    with FakeMessagesAPI([message_reply(GOOD_REPLY)]) as api:
        write_config(
            config_home,
            f'[claude]\napi_key = "{SECRET}"\nbase_url = "{api.base_url}"\nmax_retries = 0\n',
        )
        proposals = await create_claude_proposer().propose(context())
    assert len(api.requests) == 1 and len(proposals) == 1
    assert api.requests[0].credential() == SECRET  # it did authenticate
    assert api.requests[0].body["model"] == DEFAULT_MODEL


async def test_environment_base_url_is_honoured(config_home, monkeypatch):
    with FakeMessagesAPI([message_reply(GOOD_REPLY)]) as api:
        monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
        await create_claude_proposer().propose(context())
    assert len(api.requests) == 1
