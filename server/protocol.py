"""pygls's protocol, answering every request the way JSON-RPC and LSP say it must.

pygls 2.1 stays silent in four cases, and a client then waits for ever:
a request whose params do not match its type (-32602 InvalidParams), a body
that is not JSON (-32700 ParseError, id null), a request before `initialize`
(-32002 ServerNotInitialized) and a request after `shutdown` (-32600
InvalidRequest). Notifications in those states are dropped, as the spec says
(`exit` always passes).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcParseError,
    JsonRpcServerNotInitialized,
)
from pygls.protocol import LanguageServerProtocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefusedRequest:
    """A request that could not be read into its type: answered with its error, not run."""

    id: Any
    method: str
    error: JsonRpcException
    jsonrpc: str = "2.0"


class KernelwrightProtocol(LanguageServerProtocol):
    def __init__(self, server: Any, converter: Any) -> None:
        super().__init__(server, converter)
        self.initialize_seen = False

    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException as err:
            if isinstance(data, dict) and "id" in data and "method" in data:
                if isinstance(err, JsonRpcInvalidParams):
                    err = JsonRpcInvalidParams(f"invalid params for {data['method']}")
                return RefusedRequest(data["id"], str(data["method"]), err)
            raise

    def handle_message(self, message: Any) -> None:
        if isinstance(message, RefusedRequest):
            log.warning("refused %s (id %r): %s", message.method, message.id, message.error)
            self._refuse(message.id, message.error)
            return
        method = getattr(message, "method", None)
        is_request = method is not None and hasattr(message, "id")
        if self._shutdown and method != lsp.EXIT:
            if is_request:
                self._refuse(
                    message.id,
                    JsonRpcInvalidRequest(
                        f"{method}: the server is shutting down (shutdown was requested)"
                    ),
                )
            return
        if not self.initialize_seen and method not in (lsp.INITIALIZE, lsp.EXIT):
            if is_request:
                self._refuse(
                    message.id,
                    JsonRpcServerNotInitialized(f"{method}: the server has not been initialized"),
                )
            return
        if method == lsp.INITIALIZE:
            self.initialize_seen = True
        super().handle_message(message)

    def refuse_unparsable(self, error: json.JSONDecodeError) -> None:
        self._refuse(None, JsonRpcParseError(f"the message is not JSON: {error.msg}"))

    def _refuse(self, msg_id: Any, error: JsonRpcException) -> None:
        self._send_response(msg_id, None, error.to_response_error())
