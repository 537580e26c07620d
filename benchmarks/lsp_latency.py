"""Hover and code-action latency of `kernelwright serve` while a search runs.

Starts the server over stdio, opens a generated 5,000-line file, measures
hover and code-action round trips (with typing in between) first idle, then
while an Optimize search runs in the background, and writes docs/lsp-latency.md.

    python benchmarks/lsp_latency.py [--requests 200] [--budget 4] [--fake-search]

`--fake-search` swaps in tests/lsp/fake_search.py (no evaluations), to isolate
the server's own cost; the recorded numbers say which search ran.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "lsp-latency.md"
OPS = [
    "torch.relu(x)",
    "torch.softmax(x, dim=-1)",
    "F.gelu(x + y)",
    "x.sum(dim=-1)",
    "torch.tanh(x) * y",
    "(x @ y).sigmoid()",
]


def generate(lines: int) -> str:
    head = (
        "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"
        "B = 64\nN = 256\n\n\n"
        "class Model(nn.Module):\n    def __init__(self):\n        super().__init__()\n\n"
        "    def forward(self, x, y):\n        z = torch.relu(x) + y * 2.0\n"
        "        return F.gelu(z)\n\n\n"
    )
    parts, i = [head], 0
    while sum(p.count("\n") for p in parts) < lines - 6:
        op = OPS[i % len(OPS)]
        parts.append(
            f"def block_{i}(x, y):\n    # kernelwright: x: float32[B, N], y: float32[N, N]\n"
            f"    a = {op}\n    return a\n\n\n"
        )
        i += 1
    parts.append(
        "def get_inputs():\n    return [torch.randn(B, N), torch.randn(B, N)]\n\n\n"
        "def get_init_inputs():\n    return []\n"
    )
    return "".join(parts)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def measure(
    client: LanguageClient,
    uri: str,
    text: str,
    n: int,
    version: list[int],
    until: asyncio.Event | None = None,
    pause_s: float = 0.0,
) -> dict:
    """n hover + code-action pairs; with `until`, keep going until it is set (at least n)."""
    lines = text.splitlines()
    op_lines = [i for i, line in enumerate(lines) if line.startswith("    a = ")]
    rng = random.Random(0)
    hover, action = [], []
    k = 0
    while k < n or (until is not None and not until.is_set() and k < 20000):
        k += 1
        if pause_s:
            await asyncio.sleep(pause_s)  # an editor asks on keystrokes, not in a tight loop
        line = rng.choice(op_lines)
        pos = lsp.Position(line, 10)
        t0 = time.perf_counter()
        await client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(uri), pos)
        )
        hover.append((time.perf_counter() - t0) * 1e3)
        t0 = time.perf_counter()
        await client.text_document_code_action_async(
            lsp.CodeActionParams(
                lsp.TextDocumentIdentifier(uri),
                lsp.Range(pos, pos),
                lsp.CodeActionContext(diagnostics=[]),
            )
        )
        action.append((time.perf_counter() - t0) * 1e3)
        if k % 5 == 0:  # typing: a comment edit at the end of the file
            version[0] += 1
            end = len(lines)
            client.text_document_did_change(
                lsp.DidChangeTextDocumentParams(
                    lsp.VersionedTextDocumentIdentifier(uri=uri, version=version[0]),
                    [
                        lsp.TextDocumentContentChangePartial(
                            range=lsp.Range(lsp.Position(end, 0), lsp.Position(end, 0)),
                            text=f"# t{k}\n",
                        )
                    ],
                )
            )
            lines.append(f"# t{k}")
    return {"hover": hover, "action": action}


async def run(args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="kw-latency-"))
    path = tmp / "big_model.py"
    text = generate(args.lines)
    path.write_text(text)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp / "cache"), "TRITON_INTERPRET": "1"}
    if args.fake_search:
        env["KERNELWRIGHT_SEARCH_RUNNER"] = "fake_search:run_search"
        env["FAKE_STEP_S"] = "2.0"
        env["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT / "tests" / "lsp"), env.get("PYTHONPATH", "")]
        )
    client = LanguageClient("kw-latency", "1")
    finished = asyncio.Event()
    client.feature("kernelwright/searchFinished")(lambda params: finished.set())
    for method in (
        "kernelwright/searchStarted",
        "kernelwright/searchProgress",
        lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        lsp.WINDOW_SHOW_MESSAGE,
    ):
        client.feature(method)(lambda params: None)
    await client.start_io(sys.executable, "-m", "kernelwright.server.serve", env=env)
    await client.initialize_async(
        lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(),
            initialization_options={"kernelwright": {"device": "cpu", "budget": args.budget}},
        )
    )
    client.initialized(lsp.InitializedParams())
    uri = path.as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        )
    )
    version = [1]
    idle = await measure(client, uri, text, args.requests, version)
    line = text.splitlines().index("        z = torch.relu(x) + y * 2.0")
    started = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(
            command="kernelwright.optimize",
            arguments=[
                {
                    "uri": uri,
                    "range": {
                        "start": {"line": line, "character": 12},
                        "end": {"line": line, "character": 35},
                    },
                }
            ],
        )
    )
    t0 = time.perf_counter()
    busy = await measure(
        client, uri, text, args.requests, version, until=finished, pause_s=args.pause_ms / 1e3
    )
    busy_s = time.perf_counter() - t0
    running = not finished.is_set()  # False: the busy phase saw the search to its end
    try:
        await asyncio.wait_for(finished.wait(), args.search_timeout)
    except TimeoutError:
        pass
    search_s = time.perf_counter() - t0
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {
        "idle": idle,
        "busy": busy,
        "started": started,
        "running_at_end": running,
        "busy_s": busy_s,
        "search_s": search_s,
        "lines": len(text.splitlines()),
    }


def versions() -> str:
    names = ["pygls", "lsprotocol", "tree-sitter", "tree-sitter-python", "torch", "triton"]
    out = []
    for name in names:
        try:
            out.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} (absent)")
    return ", ".join([f"Python {platform.python_version()}"] + out)


def report(res: dict, args) -> str:
    def row(label, values):
        return (
            f"| {label} | {len(values)} | {statistics.median(values):.1f} | "
            f"{pct(values, 0.95):.1f} | {max(values):.1f} |"
        )

    cpu = platform.processor() or platform.machine()
    search = (
        "stand-in (tests/lsp/fake_search.py)"
        if args.fake_search
        else "real (agent.search.run_search)"
    )
    return "\n".join(
        [
            "# Language-server latency while a search runs",
            "",
            (
                f"Measured {datetime.date.today().isoformat()} on {cpu}, {os.cpu_count()} CPUs, "
                f"{platform.system()} {platform.release()}; no GPU (device cpu: candidates verified "
                "under the Triton interpreter, so the search is CPU-heavy on the same cores)."
            ),
            "",
            f"Versions: {versions()}.",
            "",
            (
                f"Command: `python benchmarks/lsp_latency.py --requests {args.requests} --budget "
                f"{args.budget} --pause-ms {args.pause_ms:g}"
                f"{' --fake-search' if args.fake_search else ''}`"
            ),
            "",
            (
                f"File: generated, {res['lines']} lines, one PyTorch op per function. "
                f"Search: {search}, budget {args.budget}, device cpu; the Optimize command "
                f"answered `{res['started'].get('status')}`. The busy rows cover the whole search "
                f"({res['search_s']:.1f} s from the command to kernelwright/searchFinished; "
                f"finished while measuring: {not res['running_at_end']}), one request pair every "
                f"{args.pause_ms:g} ms plus its round trips; the idle rows are back to back before "
                "it. Every fifth pair follows an edit (incremental re-parse)."
            ),
            "",
            "Round trip in milliseconds, client to server and back over stdio:",
            "",
            "| request | n | p50 | p95 | max |",
            "| --- | --- | --- | --- | --- |",
            row("hover, idle", res["idle"]["hover"]),
            row("code action, idle", res["idle"]["action"]),
            row("hover, search running", res["busy"]["hover"]),
            row("code action, search running", res["busy"]["action"]),
            "",
            "The search runs in a child process (`server/search_child.py`) driven by an asyncio",
            "task; the server's event loop only reads its JSON lines, so requests wait on the",
            "CPU the search and its harness workers leave free, not on the search itself.",
            "",
        ]
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--budget", type=int, default=4)
    ap.add_argument("--lines", type=int, default=5000)
    ap.add_argument("--search-timeout", type=float, default=600)
    ap.add_argument("--fake-search", action="store_true")
    ap.add_argument("--pause-ms", type=float, default=50.0, help="between requests while busy")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    res = asyncio.run(run(args))
    text = report(res, args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
