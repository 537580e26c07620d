"""The Claude proposer: one Messages API call per requested candidate.

Each call carries a prompt assembled for the node (claude_prompt), its reply is
checked for a usable `ModelNew` module (claude_response), and its tokens and
estimated cost are added to the search's account (claude_account). Anything
that stops a call from yielding a candidate — an API error after the retries,
a reply without code — is a ProposerError, which the search records and
survives. The API key goes into the SDK client and nowhere else: not into
logs, errors, proposals or the account.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import anthropic
from anthropic.types import MessageParam, TextBlockParam
from kernelwright.agent.proposers.base import Proposal, ProposalContext, ProposerError
from kernelwright.agent.proposers.claude_account import TokenAccount, Usage
from kernelwright.agent.proposers.claude_config import (
    ClaudeConfig,
    claude_available,
    load_claude_config,
)
from kernelwright.agent.proposers.claude_prompt import build_prompt, prompt_id, to_request
from kernelwright.agent.proposers.claude_response import extract_candidate

log = logging.getLogger(__name__)

# Our own rounds on top of the SDK's retries: an overloaded API often needs
# longer than the SDK's sub-10-second backoff to recover.
DEFAULT_BACKOFF_S: tuple[float, ...] = (4.0, 16.0, 45.0)
MAX_RETRY_AFTER_S = 60.0  # a server asking for longer than this: give up the node instead

__all__ = ["ClaudeProposer", "claude_available", "create_claude_proposer", "load_claude_config"]


def _retryable_status(status: int) -> bool:
    return status in (408, 409, 429) or status >= 500  # 529 is "overloaded"


def _retry_after_s(exc: anthropic.APIStatusError) -> float | None:
    try:
        value = float(exc.response.headers.get("retry-after", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _api_error_text(exc: anthropic.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else body
    kind = error.get("type", "error") if isinstance(error, dict) else "error"
    message = error.get("message", "") if isinstance(error, dict) else ""
    return f"{exc.status_code} {kind}" + (f": {message}" if message else "")


class ClaudeProposer:
    name = "claude"

    def __init__(
        self,
        config: ClaudeConfig,
        *,
        backoff_s: Sequence[float] = DEFAULT_BACKOFF_S,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        max_retry_after_s: float = MAX_RETRY_AFTER_S,
    ) -> None:
        if not config.api_key:
            raise ProposerError(claude_available(config)[1])
        self._model = config.model
        self._max_tokens = config.max_tokens
        self._secret = config.api_key  # kept only to scrub it from error text
        self._backoff_s = tuple(backoff_s)
        self._sleep = sleep
        self._max_retry_after_s = max_retry_after_s
        self._client = anthropic.AsyncAnthropic(
            api_key=config.api_key,
            base_url=config.base_url,
            max_retries=config.max_retries,
            timeout=config.timeout_s,
        )
        self._account = TokenAccount(config.model)
        log.info("Claude proposer: model %s, key present (%s)", config.model, config.key_source)

    def __repr__(self) -> str:
        return f"ClaudeProposer(model={self._model!r})"

    @property
    def account(self) -> dict[str, Any]:
        """Tokens (input, output, cache read/write), calls and estimated USD so far."""
        return self._account.as_dict()

    async def propose(self, ctx: ProposalContext) -> list[Proposal]:
        count = max(1, ctx.count)
        results = await asyncio.gather(
            *(self._propose_one(ctx, variant, count) for variant in range(1, count + 1)),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, ProposerError):
                raise result  # a bug, not an API or reply problem: let it show
        proposals = [result for result in results if isinstance(result, Proposal)]
        if proposals:
            return proposals
        reasons = sorted({str(result) for result in results})
        raise ProposerError("; ".join(reasons))

    async def _propose_one(self, ctx: ProposalContext, variant: int, count: int) -> Proposal:
        system, messages = to_request(build_prompt(ctx, variant, count))
        message, attempts = await self._create(system, messages)
        usage = Usage.from_sdk(message.usage)
        self._account.add(usage)
        text = "".join(block.text for block in message.content if block.type == "text")
        try:
            candidate = extract_candidate(text, message.stop_reason)
        except ProposerError:
            self._account.rejected_responses += 1
            raise
        self._account.proposals += 1
        return Proposal(
            source=candidate.source,
            proposer=self.name,
            move=f"claude: {candidate.move}",
            meta={
                "model": message.model,
                "prompt_id": prompt_id(),
                "variant": variant,
                "attempts": attempts,
                "stop_reason": message.stop_reason,
                "request_id": getattr(message, "_request_id", None),
                "usage": usage.as_dict(),
                "estimated_usd": usage.cost_usd(self._model),
            },
        )

    async def _create(
        self, system: list[TextBlockParam], messages: list[MessageParam]
    ) -> tuple[Any, int]:
        """messages.create with the SDK's retries inside and our bounded backoff around them."""
        attempts = len(self._backoff_s) + 1
        for attempt in range(attempts):
            try:
                message = await self._client.messages.create(
                    model=self._model,
                    max_tokens=self._max_tokens,
                    system=system,
                    messages=messages,
                )
                return message, attempt + 1
            except anthropic.APIStatusError as exc:
                reason, retry = _api_error_text(exc), _retryable_status(exc.status_code)
                delay = _retry_after_s(exc)
            except anthropic.APIConnectionError as exc:  # includes timeouts
                reason, retry, delay = type(exc).__name__, True, None
            except (anthropic.AnthropicError, ValueError) as exc:
                reason, retry, delay = f"{type(exc).__name__}: {exc}", False, None
            if delay is not None and delay > self._max_retry_after_s:
                retry = False
                reason += f" (server asks to wait {delay:.0f}s)"
            if not retry or attempt == attempts - 1:
                self._account.failed_calls += 1
                # `from None`: the SDK exception holds the request, whose headers hold the key.
                raise ProposerError(self._scrub(f"Claude API call failed: {reason}")) from None
            delay = self._backoff_s[attempt] if delay is None else delay
            self._account.retries += 1
            log.warning(
                "Claude API %s; retry %d/%d in %.1fs",
                self._scrub(reason),
                attempt + 1,
                attempts - 1,
                delay,
            )
            await self._sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "[redacted]") if self._secret else text


def create_claude_proposer(config: ClaudeConfig | None = None, **options: Any) -> ClaudeProposer:
    """The factory the search calls once per search (the account is per search).

    Check `claude_available()` first for the one-line notice; without a key this
    raises ProposerError carrying that same notice.
    """
    return ClaudeProposer(config if config is not None else load_claude_config(), **options)
