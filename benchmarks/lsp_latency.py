"""Hover and code-action latency of `kernelwright serve` while a search runs.

Starts the server over stdio, opens a generated 5,000-line file, measures
hover and code-action round trips (with typing in between) first idle, then
while an Optimize search runs in the background, and writes its section of
docs/lsp-latency.md.

    python benchmarks/lsp_latency.py [--requests 200] [--budget 4] [--fake-search]
        [--long-forward LINES] [--lines N]

`--fake-search` swaps in tests/lsp/fake_search.py (no evaluations), to isolate
the server's own cost; the recorded numbers say which search ran.

`--long-forward LINES` makes the model's `forward` that long (commented stanzas
of ops, blank lines and plain assignments, as library code is written) and
hovers everywhere inside it: on ops, comments, blank lines, plain names and the
`def` line. Each kind of place gets its own row, with how many of its hovers
showed kernelwright's card (ops and the `def` line should; the rest should not).
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


def _stanza(i: int) -> str:
    """Ten lines of a long forward: a two-line comment, ops, a blank line, plain names."""
    return (
        f"        # stage {i}: a gated update of the residual stream, as library code writes it;\n"
        "        # the comment goes on for a second line to say why the gate is a sigmoid.\n"
        f"        h{i} = torch.tanh(x) * y\n"
        f"        x = x + 0.1 * h{i}\n"
        "\n"
        f"        g{i} = F.gelu(x + y)\n"
        f"        y = y - 0.05 * g{i}.sigmoid()\n"
        f"        scale{i} = 1.0 + 0.01 * {i % 7}\n"
        f"        x = x * scale{i}\n"
        "\n"
    )


def generate_long_forward(lines: int, forward_lines: int) -> str:
    """A `lines`-line file whose model's forward is `forward_lines` long, then blocks."""
    head = (
        "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"
        "B = 64\nN = 256\n\n\n"
        "class Model(nn.Module):\n    def __init__(self):\n        super().__init__()\n\n"
        "    def forward(self, x, y):\n"
        + "".join(_stanza(i) for i in range(max(forward_lines // 10, 1)))
        + "        return x + y\n\n\n"
    )
    blocks = generate(max(lines - head.count("\n"), 0)).split("\n\n\nclass Model", 1)
    rest = blocks[1].split("\n\n\n", 1)[1] if len(blocks) > 1 else ""
    return head + rest


def hover_places(text: str, long_forward: bool) -> list[tuple[str, lsp.Position]]:
    """(kind of place, position) to hover: ops of the blocks; or every kind of place
    inside the long forward."""
    lines = text.splitlines()
    if not long_forward:
        return [
            ("op", lsp.Position(i, 10)) for i, ln in enumerate(lines) if ln.startswith("    a = ")
        ]
    start = lines.index("    def forward(self, x, y):")
    end = lines.index("        return x + y", start)
    places = [("def line", lsp.Position(start, 8))]
    for i in range(start + 1, end):
        line = lines[i]
        if not line.strip():
            places.append(("blank line", lsp.Position(i, 0)))
        elif line.lstrip().startswith("#"):
            places.append(("comment", lsp.Position(i, 14)))
        elif "torch.tanh" in line:
            places.append(("op", lsp.Position(i, line.index("tanh"))))
        elif "F.gelu" in line:
            places.append(("op", lsp.Position(i, line.index("gelu"))))
        elif ".sigmoid()" in line:
            places.append(("op", lsp.Position(i, line.index("sigmoid"))))
        elif line.lstrip().startswith("scale"):
            places.append(("plain name", lsp.Position(i, 10)))
        elif line.lstrip().startswith("x = x * "):
            places.append(("plain name", lsp.Position(i, len(line) - 2)))
    return places


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def measure(
    client: LanguageClient,
    uri: str,
    text: str,
    places: list[tuple[str, lsp.Position]],
    n: int,
    version: list[int],
    until: asyncio.Event | None = None,
    pause_s: float = 0.0,
) -> dict:
    """n hover + code-action pairs at `places`; with `until`, keep going until it is set
    (at least n). Hover times are kept per kind of place, with whether a card showed."""
    lines = text.splitlines()
    rng = random.Random(0)
    hover, action = [], []
    by_place: dict[str, list[float]] = {}
    shown: dict[str, int] = {}
    kinds = sorted({kind for kind, _ in places})
    k = 0
    while k < n or (until is not None and not until.is_set() and k < 20000):
        k += 1
        if pause_s:
            await asyncio.sleep(pause_s)  # an editor asks on keystrokes, not in a tight loop
        place = rng.choice(kinds)  # each kind of place as often: the `def` line is one line
        pos = rng.choice([p for k, p in places if k == place])
        t0 = time.perf_counter()
        card = await client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(uri), pos)
        )
        hover.append((time.perf_counter() - t0) * 1e3)
        by_place.setdefault(place, []).append(hover[-1])
        shown[place] = shown.get(place, 0) + (card is not None)
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
    return {"hover": hover, "action": action, "by_place": by_place, "shown": shown}


async def run(args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="kw-latency-"))
    path = tmp / "big_model.py"
    long_forward = args.long_forward > 0
    text = (
        generate_long_forward(args.lines, args.long_forward)
        if long_forward
        else generate(args.lines)
    )
    places = hover_places(text, long_forward)
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
    idle = await measure(client, uri, text, places, args.requests, version)
    # the search: the forward's expression, or (long forward) the first block's op
    searched = "    a = torch.relu(x)" if long_forward else "        z = torch.relu(x) + y * 2.0"
    line = text.splitlines().index(searched)
    start = searched.index("torch")
    started = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(
            command="kernelwright.optimize",
            arguments=[
                {
                    "uri": uri,
                    "range": {
                        "start": {"line": line, "character": start},
                        "end": {"line": line, "character": len(searched)},
                    },
                }
            ],
        )
    )
    t0 = time.perf_counter()
    busy = await measure(
        client,
        uri,
        text,
        places,
        args.requests,
        version,
        until=finished,
        pause_s=args.pause_ms / 1e3,
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


TITLE = "# Language-server latency while a search runs"
INTRO = (
    "The search runs in a child process (`server/search_child.py`) driven by an asyncio\n"
    "task; the server's event loop only reads its JSON lines, so requests wait on the\n"
    "CPU the search and its harness workers leave free, not on the search itself.\n"
    "Each section below is written by `benchmarks/lsp_latency.py` in its own mode."
)


def command(args) -> str:
    parts = [f"--requests {args.requests}", f"--budget {args.budget}"]
    if args.long_forward:
        parts.append(f"--long-forward {args.long_forward}")
    if args.lines != 5000:
        parts.append(f"--lines {args.lines}")
    parts.append(f"--pause-ms {args.pause_ms:g}")
    if args.fake_search:
        parts.append("--fake-search")
    return "python benchmarks/lsp_latency.py " + " ".join(parts)


def report(res: dict, args) -> str:
    """This mode's section of docs/lsp-latency.md."""

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
    if args.long_forward:
        heading = f"## One very long forward ({res['lines']:,} lines)"
        file = (
            f"File: generated, {res['lines']} lines: a model whose `forward` is "
            f"{args.long_forward} lines of commented stanzas (ops, blank lines, plain "
            "assignments), then one PyTorch op per function. Hovers and code actions land "
            "anywhere inside the forward."
        )
    else:
        heading = f"## Many small functions ({res['lines']:,} lines)"
        file = f"File: generated, {res['lines']} lines, one PyTorch op per function."
    lines = [
        heading,
        "",
        (
            f"Measured {datetime.date.today().isoformat()} on {cpu}, {os.cpu_count()} CPUs, "
            f"{platform.system()} {platform.release()}; no GPU "
            + (
                "(the stand-in search evaluates nothing: these are the server's own costs)."
                if args.fake_search
                else "(device cpu: candidates verified under the Triton interpreter, so the "
                "search is CPU-heavy on the same cores)."
            )
        ),
        "",
        f"Versions: {versions()}.",
        "",
        f"Command: `{command(args)}`",
        "",
        (
            f"{file} Search: {search}, budget {args.budget}, device cpu; the Optimize command "
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
    ]
    if args.long_forward:
        lines += [
            "",
            "Hover by place inside the forward, idle and busy together: round trip in "
            "milliseconds, and how many hovers showed kernelwright's card (ops and the "
            "`def` line are targets; comments, blank lines and plain names are not):",
            "",
            "| hover on | n | p50 | p95 | max | card shown |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for place in sorted(res["idle"]["by_place"]):
            values = res["idle"]["by_place"][place] + res["busy"]["by_place"].get(place, [])
            shown = res["idle"]["shown"].get(place, 0) + res["busy"]["shown"].get(place, 0)
            lines.append(row(place, values) + f" {shown}/{len(values)} |")
    return "\n".join(lines) + "\n"


def write_section(path: Path, mode: str, section: str) -> str:
    """The document with this mode's section replaced (or added); the others kept."""
    begin, end = f"<!-- lsp_latency: {mode} -->", f"<!-- /lsp_latency: {mode} -->"
    old = path.read_text() if path.exists() else ""
    if not old.startswith(TITLE):
        old = f"{TITLE}\n\n{INTRO}\n"
    block = f"{begin}\n{section}{end}\n"
    if begin in old and end in old:
        head, rest = old.split(begin, 1)
        text = head + block + rest.split(end, 1)[1].lstrip("\n")
    else:
        text = old.rstrip("\n") + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return text


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--budget", type=int, default=4)
    ap.add_argument("--lines", type=int, default=5000)
    ap.add_argument(
        "--long-forward",
        type=int,
        default=0,
        metavar="LINES",
        help="one model forward this long, hovered everywhere inside",
    )
    ap.add_argument("--search-timeout", type=float, default=600)
    ap.add_argument("--fake-search", action="store_true")
    ap.add_argument("--pause-ms", type=float, default=50.0, help="between requests while busy")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    res = asyncio.run(run(args))
    section = report(res, args)
    write_section(args.out, "long-forward" if args.long_forward else "blocks", section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
