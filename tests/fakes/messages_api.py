"""A tiny Messages API on 127.0.0.1 that the real `anthropic` SDK can talk to.

Tests script the replies (a message with usage, a 429 with retry-after, a 529
overload, a 5xx, prose without code) and read back every request the SDK sent,
headers and JSON body, so they can assert what a prompt really contained.
Runs in a background thread; one reply is consumed per request, in order.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass(frozen=True)
class ScriptedReply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    def credential(self) -> str | None:
        """The key as sent: `x-api-key`, or a Bearer token (what SDK 2.x sends for api_key)."""
        if "x-api-key" in self.headers:
            return self.headers["x-api-key"]
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        return token if scheme.lower() == "bearer" else None

    def text(self) -> str:
        """Every piece of text the request carried (system and messages), joined."""
        parts: list[str] = []
        system = self.body.get("system")
        for block in system if isinstance(system, list) else [{"text": system or ""}]:
            parts.append(block.get("text", ""))
        for message in self.body.get("messages", []):
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            else:
                parts.extend(block.get("text", "") for block in content)
        return "\n".join(parts)


def message_reply(
    text: str,
    *,
    input_tokens: int = 1000,
    output_tokens: int = 500,
    cache_read: int = 0,
    cache_write: int = 0,
    stop_reason: str = "end_turn",
    model: str = "claude-test",
) -> ScriptedReply:
    body = {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_read_input_tokens": cache_read,
            "cache_creation_input_tokens": cache_write,
        },
    }
    return ScriptedReply(200, body, {"request-id": "req_fake"})


def _error(status: int, kind: str, message: str, headers: dict[str, str]) -> ScriptedReply:
    body = {"type": "error", "error": {"type": kind, "message": message}}
    return ScriptedReply(status, body, headers)


def rate_limited(retry_after: str = "1") -> ScriptedReply:
    return _error(
        429,
        "rate_limit_error",
        "Number of requests has exceeded your rate limit",
        {"retry-after": retry_after},
    )


def overloaded() -> ScriptedReply:
    return _error(529, "overloaded_error", "Overloaded", {})


def server_error(status: int = 500, retry_after: str | None = None) -> ScriptedReply:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    return _error(status, "api_error", "Internal server error", headers)


def bad_request(message: str = "invalid request") -> ScriptedReply:
    return _error(400, "invalid_request_error", message, {})


class FakeMessagesAPI:
    """Context manager: `with FakeMessagesAPI([replies...]) as api: api.base_url`."""

    def __init__(self, replies: list[ScriptedReply] | None = None) -> None:
        self._replies = list(replies or [])
        self._lock = threading.Lock()
        self.requests: list[RecordedRequest] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        # A short poll interval: shutdown() waits up to one interval, once per test.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, *replies: ScriptedReply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _next_reply(self, request: RecordedRequest) -> ScriptedReply:
        with self._lock:
            self.requests.append(request)
            if not self._replies:
                # A test that under-scripts must fail loudly, not hang or retry forever.
                return ScriptedReply(
                    400,
                    {
                        "type": "error",
                        "error": {
                            "type": "invalid_request_error",
                            "message": "fake server: script exhausted",
                        },
                    },
                    {"x-should-retry": "false"},
                )
            return self._replies.pop(0)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                request = RecordedRequest(
                    method="POST",
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=json.loads(raw or b"{}"),
                )
                reply = api._next_reply(request)
                payload = json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                # Silence the default stderr access log; requests are recorded instead.
                return

        return Handler
