"""Shared helpers for the language-server tests (fake and real search alike)."""

from __future__ import annotations

import ast
import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

DATA = Path(__file__).parent / "data"
SERVER = [sys.executable, "-m", "kernelwright.server.serve"]


def server_env(cache: Path, fake: bool, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(cache),
        "XDG_DATA_HOME": str(cache / "data"),
        "TRITON_INTERPRET": "1",
        **extra,
    }
    if fake:
        env["KERNELWRIGHT_SEARCH_RUNNER"] = "fake_search:run_search"
        env["KERNELWRIGHT_PROFILE_RUNNER"] = "fake_search:profile_problem"
        env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), env.get("PYTHONPATH", "")])
    return env


def run_file(path: Path, env: dict[str, str], timeout: float = 300) -> list[float]:
    """`python path` in its folder; the literal its last printed line holds. The file may
    launch Triton kernels: on CPU they run under TRITON_INTERPRET=1 (in `env`)."""
    out = subprocess.run(
        [sys.executable, str(path)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=path.parent,
    )
    assert out.returncode == 0, (path.name, out.stderr[-3000:])
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


def copy_sample(tmp: Path, name: str) -> Path:
    dest = tmp / name
    shutil.copy(DATA / name, dest)
    return dest


def open_doc(client, path: Path, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(
                uri=uri, language_id="python", version=version, text=path.read_text()
            )
        )
    )
    return uri


def pos_of(text: str, snippet: str, offset: int = 0) -> lsp.Position:
    i = text.index(snippet) + offset
    line = text.count("\n", 0, i)
    return lsp.Position(line, i - (text.rfind("\n", 0, i) + 1))


def range_of(text: str, snippet: str) -> lsp.Range:
    return lsp.Range(pos_of(text, snippet), pos_of(text, snippet, len(snippet)))


async def code_actions(client, uri: str, rng: lsp.Range, only=None):
    return (
        await client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri),
                range=rng,
                context=lsp.CodeActionContext(diagnostics=[], only=only),
            )
        )
        or []
    )


def command_of(action) -> lsp.Command:
    # lsprotocol's decoder may read a CodeAction carrying a command as a Command,
    # whose `command` is then the nested Command object as a dict
    cmd = action.command
    if isinstance(cmd, str) and cmd.startswith("{"):
        cmd = ast.literal_eval(cmd)  # the nested Command, stringified by the decoder
    if isinstance(cmd, dict):
        return lsp.Command(
            title=cmd["title"], command=cmd["command"], arguments=cmd.get("arguments")
        )
    return action if isinstance(action, lsp.Command) else cmd


async def wait_for(predicate, timeout: float, what: str):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def finished(client, job_id: str):
    for params in getattr(client, "kw_notifications", []):
        if params[0] == "kernelwright/searchFinished" and params[1]["jobId"] == job_id:
            return params[1]
    return None


def record_notifications(client) -> None:
    """Keep kernelwright/* notifications on client.kw_notifications."""
    client.kw_notifications = []
    for method in (
        "kernelwright/searchStarted",
        "kernelwright/searchProgress",
        "kernelwright/searchFinished",
    ):

        def handler(params, method=method):
            data = params if isinstance(params, dict) else _to_dict(params)
            client.kw_notifications.append((method, data))

        client.feature(method)(handler)
    client.kw_refreshes = []
    for method in (lsp.WORKSPACE_CODE_LENS_REFRESH, lsp.WORKSPACE_INLAY_HINT_REFRESH):

        def refresh(params, method=method):
            client.kw_refreshes.append(method)

        client.feature(method)(refresh)


def _to_dict(obj):
    if hasattr(obj, "_asdict"):
        return {k: _to_dict(v) for k, v in obj._asdict().items()}
    if isinstance(obj, (list, tuple)):
        return [_to_dict(v) for v in obj]
    if hasattr(obj, "__dict__"):
        return {k: _to_dict(v) for k, v in vars(obj).items()}
    return obj


def apply_text_edits(text: str, edits) -> str:
    """Apply LSP TextEdits (ranges against the original text, UTF-16 columns)."""
    lines = text.split("\n")

    def offset(pos) -> int:
        before = sum(len(line) + 1 for line in lines[: pos.line])
        line = lines[pos.line] if pos.line < len(lines) else ""
        units, i = 0, 0
        while i < len(line) and units < pos.character:
            units += len(line[i].encode("utf-16-le")) // 2
            i += 1
        return before + i

    spans = sorted(
        ((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def client_fixtures(settings: dict, fake: bool = False) -> tuple[dict[str, str], object, object]:
    """The fixtures of a module that drives the server (with the REAL search on CPU,
    or the stand-in search with `fake`): a fresh cache per test and a client initialised with `settings` (the extension's
    `kernelwright` section), and the server's environment, which the module's tests
    also run their edited files in. A test that ends the session itself sets
    `kw_closed`. Use as `ENV, fresh_env, client = client_fixtures({...})`."""
    env: dict[str, str] = {}

    @pytest.fixture(autouse=True)
    def fresh_env(tmp_path):
        env.clear()
        env.update(server_env(tmp_path / "cache", fake=fake))

    @pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=env))
    async def client(lsp_client: LanguageClient):
        record_notifications(lsp_client)
        lsp_client.set_configuration(settings, section="kernelwright")
        await lsp_client.initialize_session(
            lsp.InitializeParams(capabilities=client_capabilities("visual-studio-code"))
        )
        yield
        if not getattr(lsp_client, "kw_closed", False):
            await lsp_client.shutdown_session()

    return env, fresh_env, client
