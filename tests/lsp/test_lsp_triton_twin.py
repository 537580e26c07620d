"""Issue 18: a user's Triton kernel whose file says what it computes in PyTorch gets the
generator's own kernel as well as its own tunables, over stdio with the real search on
CPU (server/torch_twin.py, agent/torch_twin.py)."""

from __future__ import annotations

import pytest
from kernelwright.server import names
from lsp_helpers import (
    apply_text_edits,
    client_fixtures,
    code_actions,
    command_of,
    copy_sample,
    finished,
    open_doc,
    pos_of,
    run_file,
    wait_for,
)
from lsprotocol import types as lsp
from test_lsp_realistic_files import CASES, SEARCH_TIMEOUT_S, annotated, with_check

pytestmark = pytest.mark.slow

# two candidates: the user's kernel at a neighbouring launch config, and the generator's
ENV, fresh_env, client = client_fixtures({"budget": 2, "device": "cpu", "timeLimitS": 200})


async def test_a_triton_kernel_with_its_pytorch_form_gets_the_generators_kernel(client, tmp_path):
    """Tutorial 02's kernel annotated with what it computes (`reference:`): the search
    also plans the generator's own softmax from that, verifies it against the user's
    kernel, and applying it leaves a file that runs and matches at two shapes."""
    path = copy_sample(tmp_path, "tutorial_fused_softmax.py")
    path.write_text(
        annotated(
            path.read_text(),
            (
                "def softmax(x):",
                "# kernelwright: x: float32[64, 781], reference: torch.softmax(x, dim=-1)",
            ),
        )
    )
    text = path.read_text()
    uri = open_doc(client, path)
    at = "softmax_kernel.warmup"
    cursor = lsp.Range(pos_of(text, at), pos_of(text, at))
    actions = await code_actions(client, uri, cursor)
    cmd = command_of(actions[0])
    started = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=cmd.command, arguments=cmd.arguments)
    )
    assert started["status"] == "started", started
    job = started["jobId"]
    done = await wait_for(lambda: finished(client, job), SEARCH_TIMEOUT_S, "twin")
    assert done["status"] == "done" and done["candidates"] >= 2, done
    # the generator's candidate inserts a kernel of its own; the user's kernel at another
    # launch config is the user's code (its `input_row_stride`) with numbers changed
    generated, seen = None, []
    for action in await code_actions(client, uri, cursor):
        if not action.title.startswith(names.APPLY_TITLE_PREFIX):
            continue
        resolved = await client.code_action_resolve_async(action)
        edits = resolved.edit.document_changes[0].edits
        inserted = "".join(e.new_text for e in edits)
        seen.append(inserted[:400])
        if "@triton.jit" in inserted and "input_row_stride" not in inserted:
            generated = apply_text_edits(text, edits)
    assert generated is not None, (done, seen)
    check = CASES["fused_softmax"][3]
    path.write_text(with_check(generated, check))
    errors = run_file(path, ENV)
    assert len(errors) == 2 and max(errors) <= 1e-4, errors
