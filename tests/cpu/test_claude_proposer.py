"""The Claude proposer through the real anthropic SDK against a local fake Messages API."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/ is not a package

from kernelwright.agent.proposers.base import ProposerError
from kernelwright.agent.proposers.claude_account import price_for
from kernelwright.agent.proposers.claude_prompt import PROMPTS_DIR

from tests.fakes.claude_context import (
    BEST,
    CANDIDATE,
    COMPILE_ERROR,
    GOOD_REPLY,
    KNOWLEDGE,
    MISMATCH,
    MODEL,
    WORST,
    context,
    proposer_for,
)
from tests.fakes.messages_api import (
    FakeMessagesAPI,
    bad_request,
    message_reply,
    overloaded,
    rate_limited,
    server_error,
)


@pytest.fixture(autouse=True)
def no_real_credentials(monkeypatch, tmp_path):
    for name in (
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_BASE_URL",
        "ANTHROPIC_PROFILE",
        "ANTHROPIC_CONFIG_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


async def test_parent_diagnostics_memory_and_knowledge_reach_the_prompt():
    sleeps: list[float] = []
    with FakeMessagesAPI([message_reply(GOOD_REPLY)]) as api:
        proposals = await proposer_for(api, sleeps).propose(context())

    assert len(api.requests) == 1
    request = api.requests[0]
    assert request.path == "/v1/messages"
    assert request.body["model"] == MODEL
    text = request.text()
    assert COMPILE_ERROR in text  # the parent's compile error, verbatim
    assert MISMATCH in text  # the worst sibling's mismatch statistics
    assert "node n7" in text and "node n9" in text  # the memory operator's nodes
    assert "Best of these: node n7" in text and "Worst of these: node n9" in text
    assert "+        return x * 2.0  # BEST" in text  # what differs from the parent, as a diff
    assert "memory-bound" in text and "71.5" in text  # the best sibling's profile numbers
    assert KNOWLEDGE in text and "SKILL-MARKER-fused-bias-gelu" in text
    assert "PROBLEM-MARKER" in text and "copy_gbps: 3012" in text

    (proposal,) = proposals
    assert proposal.source == CANDIDATE
    assert proposal.proposer == "claude"
    assert proposal.move == "claude: fuse relu and scale into one vectorised pass"
    assert proposal.meta["usage"]["input_tokens"] == 1000
    assert proposal.meta["prompt_id"].startswith("claude-")


async def test_stable_prefix_is_cached_and_the_node_part_comes_last():
    with FakeMessagesAPI([message_reply(GOOD_REPLY)]) as api:
        await proposer_for(api, []).propose(context())

    body = api.requests[0].body
    ephemeral = {"type": "ephemeral"}
    (system,) = body["system"]
    assert system["cache_control"] == ephemeral
    assert system["text"] == (PROMPTS_DIR / "claude_system.md").read_text()  # a data file
    (user,) = body["messages"]
    problem, knowledge, node_part = user["content"]
    assert problem["cache_control"] == ephemeral and "PROBLEM-MARKER" in problem["text"]
    assert knowledge["cache_control"] == ephemeral and KNOWLEDGE in knowledge["text"]
    assert "cache_control" not in node_part
    assert COMPILE_ERROR in node_part["text"] and COMPILE_ERROR not in problem["text"]


async def test_prefix_is_byte_identical_across_nodes_of_one_search():
    replies = [message_reply(GOOD_REPLY), message_reply(GOOD_REPLY)]
    with FakeMessagesAPI(replies) as api:
        proposer = proposer_for(api, [])
        await proposer.propose(context())
        await proposer.propose(context(parent=WORST, memory="parent", memory_context=()))

    first, second = (request.body for request in api.requests)
    assert first["system"] == second["system"]
    assert first["messages"][0]["content"][:2] == second["messages"][0]["content"][:2]
    assert first["messages"][0]["content"][2] != second["messages"][0]["content"][2]


async def test_clean_slate_node_says_so_and_carries_no_earlier_candidates():
    with FakeMessagesAPI([message_reply(GOOD_REPLY)]) as api:
        await proposer_for(api, []).propose(
            context(parent=None, memory="clean_slate", memory_context=())
        )
    text = api.requests[0].text()
    assert "Memory operator: clean_slate. Start over" in text
    assert "None: this node starts from the problem alone." in text
    assert COMPILE_ERROR not in text and MISMATCH not in text


async def test_cpu_device_prompt_states_timing_is_not_measured():
    cpu = {"name": "cpu", "kind": "cpu", "peaks": None}
    with FakeMessagesAPI([message_reply(GOOD_REPLY)]) as api:
        await proposer_for(api, []).propose(context(device=cpu, reference_profile=None))
    text = api.requests[0].text()
    assert "TRITON_INTERPRET=1" in text and "timing is not measured" in text
    assert "Peaks not measured." in text


async def test_rate_limit_and_overload_are_retried_with_backoff_then_succeed():
    sleeps: list[float] = []
    replies = [rate_limited(retry_after="7"), overloaded(), message_reply(GOOD_REPLY)]
    with FakeMessagesAPI(replies) as api:
        proposer = proposer_for(api, sleeps)
        proposals = await proposer.propose(context())

    assert len(api.requests) == 3
    assert sleeps == [7.0, 2.0]  # the server's retry-after, then our second backoff step
    assert len(proposals) == 1 and proposals[0].meta["attempts"] == 3
    assert proposer.account["retries"] == 2 and proposer.account["requests"] == 1


async def test_sdk_retries_run_inside_each_attempt():
    sleeps: list[float] = []
    # The SDK honours retry-after itself; a millisecond keeps the test fast.
    replies = [
        rate_limited(retry_after="0.001"),
        server_error(503, retry_after="0.001"),
        message_reply(GOOD_REPLY),
    ]
    with FakeMessagesAPI(replies) as api:
        proposals = await proposer_for(api, sleeps, max_retries=2).propose(context())
    assert len(api.requests) == 3 and len(proposals) == 1
    assert sleeps == []  # our own backoff was never needed


async def test_persistent_server_errors_become_a_proposer_error():
    sleeps: list[float] = []
    with FakeMessagesAPI([server_error(500)] * 4) as api:
        proposer = proposer_for(api, sleeps)
        with pytest.raises(ProposerError, match="500 api_error"):
            await proposer.propose(context())
    assert sleeps == [1.0, 2.0, 3.0] and len(api.requests) == 4
    assert proposer.account["failed_calls"] == 1 and proposer.account["requests"] == 0


async def test_excessive_retry_after_gives_up_the_node_instead_of_stalling():
    sleeps: list[float] = []
    with (
        FakeMessagesAPI([rate_limited(retry_after="3600")]) as api,
        pytest.raises(ProposerError, match="wait 3600s"),
    ):
        await proposer_for(api, sleeps).propose(context())
    assert sleeps == [] and len(api.requests) == 1


async def test_a_bad_request_is_not_retried():
    sleeps: list[float] = []
    with (
        FakeMessagesAPI([bad_request("max_tokens too large")]) as api,
        pytest.raises(ProposerError, match="400 invalid_request_error: max_tokens too large"),
    ):
        await proposer_for(api, sleeps).propose(context())
    assert sleeps == [] and len(api.requests) == 1


async def test_a_reply_without_code_is_a_proposer_failure_but_its_tokens_count():
    prose = "You could try shared memory tiling and a larger BLOCK_SIZE."
    with FakeMessagesAPI([message_reply(prose, input_tokens=900, output_tokens=40)]) as api:
        proposer = proposer_for(api, [])
        with pytest.raises(ProposerError, match="no ```python block"):
            await proposer.propose(context())
    account = proposer.account
    assert account["rejected_responses"] == 1 and account["proposals"] == 0
    assert account["input_tokens"] == 900 and account["output_tokens"] == 40


async def test_a_truncated_reply_says_it_was_cut_off():
    cut = "MOVE: tile it\n```python\nimport torch\nclass ModelNew(torch.nn.Module):\n    def f("
    with (
        FakeMessagesAPI([message_reply(cut, stop_reason="max_tokens")]) as api,
        pytest.raises(ProposerError, match="max_tokens"),
    ):
        await proposer_for(api, []).propose(context())


async def test_variants_are_asked_for_separately_and_a_bad_one_does_not_sink_the_rest():
    replies = [message_reply(GOOD_REPLY), message_reply("no code here")]
    with FakeMessagesAPI(replies) as api:
        proposer = proposer_for(api, [])
        proposals = await proposer.propose(context(count=2))
    texts = sorted(request.text() for request in api.requests)
    assert "variant 1 of 2" in texts[0] and "variant 2 of 2" in texts[1]
    assert len(proposals) == 1
    assert proposer.account["rejected_responses"] == 1 and proposer.account["proposals"] == 1


async def test_token_account_sums_every_kind_and_prices_it():
    replies = [
        message_reply(
            GOOD_REPLY, input_tokens=1200, output_tokens=800, cache_read=0, cache_write=5000
        ),
        message_reply(
            GOOD_REPLY, input_tokens=300, output_tokens=700, cache_read=5000, cache_write=0
        ),
    ]
    with FakeMessagesAPI(replies) as api:
        proposer = proposer_for(api, [])
        first = await proposer.propose(context())
        await proposer.propose(context(parent=BEST))

    account = proposer.account
    assert (account["input_tokens"], account["output_tokens"]) == (1500, 1500)
    assert (account["cache_read_tokens"], account["cache_write_tokens"]) == (5000, 5000)
    assert account["requests"] == 2 and account["proposals"] == 2
    price = price_for(MODEL)
    expected = (
        1500 * price["input"]
        + 1500 * price["output"]
        + 5000 * price["cache_read"]
        + 5000 * price["cache_write"]
    ) / 1e6
    assert account["estimated_usd"] == pytest.approx(expected)
    assert account["estimated_usd"] > 0
    assert first[0].meta["estimated_usd"] == pytest.approx(
        (1200 * price["input"] + 800 * price["output"] + 5000 * price["cache_write"]) / 1e6
    )


async def test_a_model_without_a_price_counts_tokens_but_claims_no_cost():
    with FakeMessagesAPI([message_reply(GOOD_REPLY)]) as api:
        proposer = proposer_for(api, [], model="claude-unpriced-9")
        await proposer.propose(context())
    assert proposer.account["input_tokens"] == 1000
    assert proposer.account["estimated_usd"] is None
    assert "claude-unpriced-9" in proposer.account["price_note"]


async def test_siblings_without_a_parent_are_shown_whole():
    with FakeMessagesAPI([message_reply(GOOD_REPLY)]) as api:
        await proposer_for(api, []).propose(context(parent=None, memory="siblings"))
    text = api.requests[0].text()
    assert "Learn from the candidates below" in text
    assert "Its source:" in text and "return x * 2.0  # BEST" in text
    assert "--- parent" not in text
