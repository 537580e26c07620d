"""The server over stdio with a stand-in search (tests/lsp/fake_search.py): settings,
progress, cancel, stale edits, unknown documents, malformed parameters, shapes.

The real search runs in test_lsp_e2e.py; here the point is the protocol plumbing,
fast and deterministic.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from kernelwright.server import names
from lsp_helpers import (
    SERVER,
    apply_text_edits,
    code_actions,
    command_of,
    copy_sample,
    finished,
    open_doc,
    pos_of,
    range_of,
    record_notifications,
    server_env,
    wait_for,
)
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ENV: dict[str, str] = {}


@pytest.fixture(autouse=True)
def fresh_env(tmp_path):
    ENV.clear()
    ENV.update(server_env(tmp_path / "cache", fake=True, FAKE_STEP_S="0.3"))


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def client(lsp_client: LanguageClient):
    record_notifications(lsp_client)
    lsp_client.set_configuration(
        {"budget": 3, "device": "cpu", "strategy": "bogus"}, section="kernelwright"
    )
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"kernelwright": {"budget": 0, "timeLimitS": 30}},
        )
    )
    yield
    if not getattr(lsp_client, "kw_closed", False):
        await lsp_client.shutdown_session()


async def start_search(client, uri, rng):
    actions = await code_actions(client, uri, rng)
    optimize = [a for a in actions if a.title.startswith(names.OPTIMIZE_TITLE_PREFIX)]
    assert optimize, [a.title for a in actions]
    cmd = command_of(optimize[0])
    return await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=cmd.command, arguments=cmd.arguments)
    )


async def test_settings_are_validated_with_clear_messages(client, tmp_path):
    messages = await wait_for(
        lambda: [m.message for m in client.messages if m.type == lsp.MessageType.Warning],
        10,
        "warnings",
    )
    await wait_for(lambda: len([m for m in client.messages if "strategy" in m.message]), 10, "x")
    text = "\n".join(m.message for m in client.messages)
    assert "kernelwright.budget must be an integer of at least 1; got 0, using 8" in text
    assert "kernelwright.strategy must be one of mcts, evolve; got 'bogus', using 'mcts'" in text
    assert messages


async def test_search_progress_candidates_and_apply(client, tmp_path):
    path = copy_sample(tmp_path, "sample_model.py")
    uri = open_doc(client, path)
    text = path.read_text()
    rng = range_of(text, "torch.relu(x) + y * 2.0")
    result = await start_search(client, uri, rng)
    assert result["status"] == "started"
    done = await wait_for(lambda: finished(client, result["jobId"]), 30, "searchFinished")
    assert done["status"] == "done" and done["candidates"] == 3
    # work-done progress: begin, one report per change (the search's notices and
    # `proposed` events change no count shown), end
    reports = client.progress_reports[result["token"]]
    assert reports[0].kind == "begin" and reports[-1].kind == "end"
    assert [r.percentage for r in reports[1:-1]] == [0, 33, 66, 99]
    best = " · best verified, no timing on CPU"
    assert [r.message for r in reports[1:-1]] == [
        "0/3 evaluated · 0 failed",
        f"1/3 evaluated · 0 failed{best}",
        f"2/3 evaluated · 0 failed{best}",
        f"3/3 evaluated · 0 failed{best}",
    ]
    progress = [
        p["message"]
        for m, p in client.kw_notifications
        if m == "kernelwright/searchProgress" and p["jobId"] == result["jobId"]
    ]
    assert progress == [r.message for r in reports[1:-1]]

    actions = await code_actions(client, uri, rng)
    apply = [a for a in actions if a.title.startswith(names.APPLY_TITLE_PREFIX)]
    assert apply[0].title == "Apply candidate #1 — verified on CPU (no timing)"
    assert apply[0].is_preferred and not apply[1].is_preferred
    resolved = await client.code_action_resolve_async(apply[0])
    change = resolved.edit.document_changes[0]
    assert change.text_document.version == 1
    assert resolved.edit.change_annotations["kernelwright.apply"].label.startswith("Apply")
    new_texts = "".join(e.new_text for e in change.edits)
    assert "kw_relu(x, y)" in new_texts and "class _KwModel_relu(nn.Module)" in new_texts


async def test_shapes_changed_while_searching_count_what_is_offered(client, tmp_path):
    """Issue 18: "3 candidates" and then no action, once the target's shapes changed."""
    path = copy_sample(tmp_path, "sample_model.py")
    uri = open_doc(client, path)
    text = path.read_text()
    rng = range_of(text, "torch.relu(x) + y * 2.0")
    result = await start_search(client, uri, rng)
    line = text.splitlines().index("N = 64")
    client.text_document_did_change(  # while the search starts: N = 64 becomes 32
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(lsp.Position(line, 4), lsp.Position(line, 6)), text="32"
                )
            ],
        )
    )
    done = await wait_for(lambda: finished(client, result["jobId"]), 30, "searchFinished")
    assert done["status"] == "done" and done["candidates"] == 0, done
    assert done["message"] == (
        "3 candidates for the shapes it searched, none offered: the shapes of "
        "`torch.relu(x) + y * 2.0` changed while it ran; run Optimize again for the new shapes"
    )
    actions = await code_actions(client, uri, rng)
    assert not [a for a in actions if a.title.startswith(names.APPLY_TITLE_PREFIX)]
    assert any("3 candidate(s)" in a.title and a.disabled for a in actions), actions


async def test_stale_edit_is_refused(client, tmp_path):
    path = copy_sample(tmp_path, "sample_model.py")
    uri = open_doc(client, path)
    rng = range_of(path.read_text(), "torch.relu(x) + y * 2.0")
    result = await start_search(client, uri, rng)
    await wait_for(lambda: finished(client, result["jobId"]), 30, "searchFinished")
    apply = [
        a
        for a in await code_actions(client, uri, rng)
        if a.title.startswith(names.APPLY_TITLE_PREFIX)
    ]
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)), text="# edited\n"
                )
            ],
        )
    )
    with pytest.raises(Exception, match="changed since this candidate was listed"):
        await client.code_action_resolve_async(apply[0])


async def test_cancel_through_the_progress_token(client, tmp_path):
    ENV["FAKE_STEP_S"] = "1.0"
    path = copy_sample(tmp_path, "sample_model.py")
    uri = open_doc(client, path)
    client.set_configuration({"budget": 20, "device": "cpu"}, section="kernelwright")
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    result = await start_search(client, uri, range_of(path.read_text(), "torch.relu(x) + y * 2.0"))
    await wait_for(lambda: len(client.progress_reports[result["token"]]) >= 2, 20, "a report")
    # typing and hover stay responsive while it runs
    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), pos_of(path.read_text(), "relu"))
    )
    assert "torch.relu" in hover.contents.value
    expr_hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), pos_of(path.read_text(), "y * 2.0"))
    )
    assert "Search running: " in expr_hover.contents.value  # best-so-far while it runs
    client.window_work_done_progress_cancel(lsp.WorkDoneProgressCancelParams(token=result["token"]))
    done = await wait_for(lambda: finished(client, result["jobId"]), 20, "searchFinished")
    assert done["status"] == "cancelled" and done["candidates"] < 20


async def test_cancel_command_and_unknown_job(client, tmp_path):
    path = copy_sample(tmp_path, "sample_model.py")
    uri = open_doc(client, path)
    client.set_configuration({"budget": 20, "device": "cpu"}, section="kernelwright")
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    result = await start_search(client, uri, range_of(path.read_text(), "torch.relu(x) + y * 2.0"))
    out = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=names.CMD_CANCEL, arguments=[{"jobId": "nope"}])
    )
    assert out["cancelled"] == []
    out = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=names.CMD_CANCEL, arguments=[{"jobId": result["jobId"]}])
    )
    assert out["cancelled"] == [result["jobId"]]
    done = await wait_for(lambda: finished(client, result["jobId"]), 20, "searchFinished")
    assert done["status"] == "cancelled"


async def test_unknown_documents_and_malformed_parameters(client, tmp_path):
    ghost = (tmp_path / "ghost.py").as_uri()
    assert (
        await code_actions(client, ghost, lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0))) == []
    )
    assert (
        await client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(ghost), lsp.Position(0, 0))
        )
        is None
    )
    with pytest.raises(Exception, match="is not open"):
        await client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(
                command=names.CMD_OPTIMIZE,
                arguments=[
                    {
                        "uri": ghost,
                        "range": {
                            "start": {"line": 0, "character": 0},
                            "end": {"line": 0, "character": 0},
                        },
                    }
                ],
            )
        )
    with pytest.raises(Exception, match="expected one argument"):
        await client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command=names.CMD_OPTIMIZE, arguments=["not a dict", 3])
        )
    with pytest.raises(Exception, match="range must be"):
        await client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(
                command=names.CMD_PROFILE, arguments=[{"uri": ghost, "range": {"start": 1}}]
            )
        )
    bad = lsp.CodeAction(
        title="Apply candidate #1", data={"tag": "kernelwright.apply", "rank": "x"}
    )
    with pytest.raises(Exception, match="malformed kernelwright action data"):
        await client.code_action_resolve_async(bad)
    foreign = lsp.CodeAction(title="someone else's", data={"other": 1})
    assert (await client.code_action_resolve_async(foreign)).title == "someone else's"
    # the server is still alive and well
    path = copy_sample(tmp_path, "sample_model.py")
    uri = open_doc(client, path)
    assert await code_actions(client, uri, range_of(path.read_text(), "torch.relu(x)"))


async def test_unknown_shapes_diagnostic_and_quick_fix(client, tmp_path):
    path = copy_sample(tmp_path, "sample_model.py")
    uri = open_doc(client, path)
    text = path.read_text()
    cursor = lsp.Range(pos_of(text, "softmax"), pos_of(text, "softmax"))
    result = await start_search(client, uri, cursor)
    assert result["status"] == "needs-shapes" and result["missing"] == ["a"]
    diags = await wait_for(
        lambda: [d for d in client.diagnostics.get(uri, []) if d.code == names.DIAG_SHAPES_UNKNOWN],
        10,
        "diagnostic",
    )
    assert "input shapes unknown for a" in diags[0].message
    fixes = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri),
            range=cursor,
            context=lsp.CodeActionContext(diagnostics=diags, only=[lsp.CodeActionKind.QuickFix]),
        )
    )
    assert len(fixes) == 1 and fixes[0].title.startswith(names.QUICKFIX_SHAPES_TITLE_PREFIX)
    edit = fixes[0].edit.document_changes[0].edits[0]
    assert edit.new_text == "    # kernelwright: a: float32[?, ?]\n"
    line = text.splitlines().index("def scale_rows(a):") + 1
    assert edit.range.start == lsp.Position(line, 0)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(lsp.Position(line, 0), lsp.Position(line, 0)),
                    text="    # kernelwright: a: float32[B, N]\n",
                )
            ],
        )
    )
    await wait_for(lambda: not client.diagnostics.get(uri), 10, "the diagnostic to clear")


async def test_profile_hover_lens_inlay_and_restart(client, tmp_path):
    path = copy_sample(tmp_path, "sample_model.py")
    uri = open_doc(client, path)
    text = path.read_text()
    relu = pos_of(text, "relu")
    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), relu)
    )
    assert "Nothing measured yet" in hover.contents.value
    assert f"command:{names.CMD_PROFILE}?" in hover.contents.value  # the Profile link
    out = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(
            command=names.CMD_PROFILE,
            arguments=[
                {
                    "uri": uri,
                    "range": {
                        "start": {"line": relu.line, "character": relu.character},
                        "end": {"line": relu.line, "character": relu.character},
                    },
                }
            ],
        )
    )
    assert out["status"] == "started"
    await wait_for(
        lambda: (
            client.progress_reports.get(out["token"], [None])[-1] is not None
            and client.progress_reports[out["token"]][-1].kind == "end"
        ),
        20,
        "profile end",
    )
    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), relu)
    )
    assert "Last measured: 0.50 ms · memory-bound" in hover.contents.value
    assert "12 GB/s (40% of peak DRAM BW)" in hover.contents.value
    whole = lsp.Range(lsp.Position(0, 0), lsp.Position(len(text.splitlines()), 0))
    hints = await client.text_document_inlay_hint_async(
        lsp.InlayHintParams(lsp.TextDocumentIdentifier(uri), whole)
    )
    assert [h.label for h in hints] == ["⏱ 0.50 ms"]
    assert hints[0].position.line == relu.line

    # a search on the forward, then the lens counts its candidates
    fwd = pos_of(text, "def forward")
    result = await start_search(client, uri, lsp.Range(fwd, fwd))
    await wait_for(lambda: finished(client, result["jobId"]), 30, "searchFinished")
    await wait_for(lambda: client.kw_refreshes, 10, "a code lens refresh request")
    lenses = await client.text_document_code_lens_async(
        lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri))
    )
    assert [cl.command.title for cl in lenses] == ["⚡ Optimize", "⏱ Profile", "3 candidates"]
    assert lenses[0].range.start.line == fwd.line

    # restart: a new server over the same store shows the same results
    await client.shutdown_session()
    client.kw_closed = True
    second = await ClientServerConfig(server_command=SERVER, server_env=ENV).start()
    try:
        await second.initialize_session(
            lsp.InitializeParams(capabilities=client_capabilities("visual-studio-code"))
        )
        uri = open_doc(second, path)
        hover = await second.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(uri), relu)
        )
        assert "Last measured: 0.50 ms" in hover.contents.value
        lenses = await second.text_document_code_lens_async(
            lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri))
        )
        assert lenses[2].command.title == "3 candidates"
        actions = await code_actions(second, uri, lsp.Range(fwd, fwd))
        assert next(a.title for a in actions if a.title.startswith("Apply")).startswith(
            "Apply candidate #1"
        )
        shown = await second.workspace_execute_command_async(
            lsp.ExecuteCommandParams(
                command=names.CMD_SHOW_CANDIDATES, arguments=lenses[2].command.arguments
            )
        )
        assert len(shown["candidates"]) == 3 and shown["candidates"][0]["target"] == "Model.forward"
        listed = await second.protocol.send_request_async(names.REQUEST_CANDIDATES, {"uri": uri})
        listed = listed if isinstance(listed, dict) else listed._asdict()
        assert len(listed["candidates"]) == 3
        await second.shutdown_session()
    finally:
        await second.stop()


async def test_shapes_recorded_from_the_configured_command(client, tmp_path):
    path = copy_sample(tmp_path, "sample_model.py")
    copy_sample(tmp_path, "drive_scale_rows.py")
    client.set_configuration(
        {"budget": 1, "device": "cpu", "shapeCommand": [sys.executable, "drive_scale_rows.py"]},
        section="kernelwright",
    )
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    await asyncio.sleep(0.5)  # let the server pull the new configuration
    uri = open_doc(client, path)
    text = path.read_text()
    cursor = lsp.Range(pos_of(text, "softmax"), pos_of(text, "softmax"))
    result = await start_search(client, uri, cursor)
    assert result["status"] == "started", result
    problem_text = Path(result["problemPath"]).read_text()
    assert "torch.randn((4, 16), dtype=torch.float32)" in problem_text
    await wait_for(lambda: finished(client, result["jobId"]), 30, "searchFinished")


async def test_triton_kernel_through_its_launcher(client, tmp_path):
    path = copy_sample(tmp_path, "sample_triton.py")
    uri = open_doc(client, path)
    text = path.read_text()
    launch = pos_of(text, "add_kernel[")
    actions = await code_actions(client, uri, lsp.Range(launch, launch))
    assert actions[0].title == "Optimize this kernel (kernel `add_kernel`)"
    result = await start_search(client, uri, lsp.Range(launch, launch))
    assert result["status"] == "started", result
    problem_text = Path(result["problemPath"]).read_text()
    assert "return add(x, y)" in problem_text  # the launcher is the reference
    await wait_for(lambda: finished(client, result["jobId"]), 30, "searchFinished")
    lenses = await client.text_document_code_lens_async(
        lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri))
    )
    assert [cl.command.title for cl in lenses[:3]] == ["⚡ Optimize", "⏱ Profile", "3 candidates"]
    apply = [
        a
        for a in await code_actions(client, uri, lsp.Range(launch, launch))
        if a.title.startswith(names.APPLY_TITLE_PREFIX)
    ]
    resolved = await client.code_action_resolve_async(apply[0])
    new_text = apply_text_edits(text, resolved.edit.document_changes[0].edits)
    assert "def add(x, y):\n    return kw_add(x, y)\n" in new_text
    script = tmp_path / "run_add.py"
    path.write_text(new_text)
    script.write_text(
        "import torch\nfrom sample_triton import add\n"
        "print(add(torch.arange(4096.0), torch.ones(4096)).sum().item())\n"
    )
    out = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(script)],
        check=False,
        capture_output=True,
        text=True,
        env=ENV,
        cwd=tmp_path,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert float(out.stdout) == sum(range(4096)) + 4096
