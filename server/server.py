"""The language server: thin handlers, every feature wired here and nowhere else.

Handlers unpack params, call a feature module, and return what `lsp_convert`
built. A feature's exception is logged and answered with an empty result (or an
error for the request that caused it), never fatal to the server.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from typing import Any

from kernelwright.harness.version import kernelwright_version
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from . import actions, config, diagnostics, hover, lens, names
from .documents import Pos
from .protocol import KernelwrightProtocol
from .searches import Searches
from .session import Session

log = logging.getLogger(__name__)
VERSION = kernelwright_version()
DIAGNOSTICS_DEBOUNCE_S = 0.3


class KernelwrightServer(LanguageServer):
    protocol: KernelwrightProtocol  # the base types it as its own class; __init__ passes ours

    def __init__(self) -> None:
        super().__init__("kernelwright", VERSION, protocol_cls=KernelwrightProtocol)
        self.session = Session()
        self.searches = Searches(self, self.session, self.refresh)
        self._pending: dict[str, asyncio.TimerHandle] = {}
        # Set once the client's settings were asked for after `initialized`: a
        # search started before then ran with the defaults (budget 8 where the
        # user had set 3, seen on an H100).
        self.settings_ready = asyncio.Event()
        # Whether the client asked for `shutdown` before `exit`: the LSP spec has the
        # server exit with 1 otherwise (serve.py returns it).
        self.shut_down = False

    def report_server_error(self, error: Exception, source: Any) -> None:
        """A body that is not JSON gets its -32700 (server/protocol.py); the rest as pygls."""
        if isinstance(error, json.JSONDecodeError):
            self.protocol.refuse_unparsable(error)
            return
        super().report_server_error(error, source)

    def refresh(self, uri: str) -> None:
        """Re-publish diagnostics of a document and ask the client to re-query lenses/hints."""
        if self.session.docs.get(uri) is not None:
            guarded(lambda: diagnostics.publish(self, self.session, uri), None)()
        ws = self.client_capabilities.workspace
        if ws and ws.code_lens and ws.code_lens.refresh_support:
            self.workspace_code_lens_refresh(None)
        if ws and ws.inlay_hint and ws.inlay_hint.refresh_support:
            self.workspace_inlay_hint_refresh(None)

    def refresh_later(self, uri: str) -> None:
        if (h := self._pending.pop(uri, None)) is not None:
            h.cancel()
        loop = asyncio.get_running_loop()
        self._pending[uri] = loop.call_later(DIAGNOSTICS_DEBOUNCE_S, self.refresh_diagnostics, uri)

    def refresh_diagnostics(self, uri: str) -> None:
        self._pending.pop(uri, None)
        if self.session.docs.get(uri) is not None:
            guarded(lambda: diagnostics.publish(self, self.session, uri), None)()

    def apply_settings(self, raw: Any) -> None:
        settings, messages = config.parse(raw, self.session.settings)
        self.session.set_settings(settings)
        for message in messages:
            log.warning(message)
            self.window_show_message(
                lsp.ShowMessageParams(type=lsp.MessageType.Warning, message=message)
            )


def plain(obj: Any) -> Any:
    """JSON-like data from the namedtuples pygls builds for custom methods' params."""
    if hasattr(obj, "_asdict"):
        obj = obj._asdict()
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    return obj


def guarded(fn, default):
    """Run a feature; log its exception and answer `default` (request errors pass through)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except JsonRpcException:
            raise
        except Exception:
            log.exception("feature %s failed", getattr(fn, "__name__", fn))
            return default

    return wrapper


def build() -> KernelwrightServer:
    server = KernelwrightServer()
    session = server.session

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: KernelwrightServer, params: lsp.InitializeParams) -> None:
        encoding = ls.workspace.position_encoding
        session.docs.encoding = (
            encoding.value
            if isinstance(encoding, lsp.PositionEncodingKind)
            else str(encoding or "utf-16")
        )
        ls.apply_settings(params.initialization_options)

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: KernelwrightServer, params: lsp.InitializedParams) -> None:
        try:
            await pull_configuration(ls)
        finally:
            ls.settings_ready.set()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: KernelwrightServer, params) -> None:
        if isinstance(params.settings, dict) and params.settings.get(config.SECTION) is not None:
            ls.apply_settings(params.settings)
        else:
            await pull_configuration(ls)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: KernelwrightServer, params: lsp.DidOpenTextDocumentParams) -> None:
        td = params.text_document
        session.docs.open(td.uri, td.text, td.version)
        ls.refresh_diagnostics(td.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: KernelwrightServer, params: lsp.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        doc = session.docs.get(uri)
        if doc is None:
            return
        for change in params.content_changes:
            rng = getattr(change, "range", None)
            if rng is None:
                doc.apply_change(None, None, change.text)
            else:
                doc.apply_change(
                    Pos(rng.start.line, rng.start.character),
                    Pos(rng.end.line, rng.end.character),
                    change.text,
                )
        doc.sync_to(ls.workspace.get_text_document(uri).source, params.text_document.version)
        ls.refresh_later(uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: KernelwrightServer, params: lsp.DidCloseTextDocumentParams) -> None:
        session.docs.close(params.text_document.uri)
        session.shape_requests.pop(params.text_document.uri, None)
        ls.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(
            code_action_kinds=[names.CODE_ACTION_KIND, lsp.CodeActionKind.QuickFix],
            resolve_provider=True,
        ),
    )
    def code_action(ls: KernelwrightServer, params: lsp.CodeActionParams):
        return guarded(actions.code_actions, [])(session, params)

    @server.feature(lsp.CODE_ACTION_RESOLVE)
    def code_action_resolve(ls: KernelwrightServer, action: lsp.CodeAction) -> lsp.CodeAction:
        return guarded(actions.resolve, action)(session, action, ls.client_capabilities)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: KernelwrightServer, params: lsp.HoverParams):
        return guarded(hover.hover, None)(session, params)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_LENS, lsp.CodeLensOptions(resolve_provider=False))
    def code_lens(ls: KernelwrightServer, params: lsp.CodeLensParams):
        return guarded(lens.code_lens, [])(session, params)

    @server.feature(lsp.TEXT_DOCUMENT_INLAY_HINT, lsp.InlayHintOptions(resolve_provider=False))
    def inlay_hint(ls: KernelwrightServer, params: lsp.InlayHintParams):
        return guarded(lens.inlay_hints, [])(session, params)

    @server.command(names.CMD_OPTIMIZE)
    async def optimize(ls: KernelwrightServer, *args: Any):
        return await ls.searches.start("search", args)

    @server.command(names.CMD_PROFILE)
    async def profile(ls: KernelwrightServer, *args: Any):
        return await ls.searches.start("profile", args)

    @server.command(names.CMD_CANCEL)
    async def cancel(ls: KernelwrightServer, *args: Any):
        return await ls.searches.cancel(args)

    @server.command(names.CMD_SHOW_CANDIDATES)
    def show_candidates(ls: KernelwrightServer, *args: Any):
        result = actions.show_candidates(session, args)
        lines = [c["title"] for c in result["candidates"]] or ["no candidates yet: run Optimize"]
        ls.window_show_message(
            lsp.ShowMessageParams(
                type=lsp.MessageType.Info, message="kernelwright: " + "; ".join(lines)
            )
        )
        return result

    @server.feature(names.REQUEST_CANDIDATES)
    def candidates(ls: KernelwrightServer, params: Any):
        return actions.show_candidates(session, (plain(params),))

    @server.feature(lsp.WINDOW_WORK_DONE_PROGRESS_CANCEL)
    async def progress_cancel(ls: KernelwrightServer, params: lsp.WorkDoneProgressCancelParams):
        await ls.searches.cancel_token(params.token)

    @server.feature(lsp.SHUTDOWN)
    async def shutdown(ls: KernelwrightServer, *args: Any) -> None:
        ls.shut_down = True
        await ls.searches.jobs.shutdown()

    return server


async def pull_configuration(ls: KernelwrightServer) -> None:
    ws = ls.client_capabilities.workspace
    if not (ws and ws.configuration):
        return
    try:
        result = await asyncio.wait_for(
            ls.workspace_configuration_async(
                lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section=config.SECTION)])
            ),
            5.0,
        )
    except Exception as err:  # noqa: BLE001 - a client without it keeps the defaults
        log.warning("workspace/configuration failed: %s", err)
        return
    if result and result[0] is not None:
        ls.apply_settings(result[0])
