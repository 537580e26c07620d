"""`kernelwright kb list|search|show|add`: the knowledge base from the command line.

The CLI module wires `kb` to `add_arguments` and `run`; exit codes follow
DESIGN.md: 0 when the work was done, 2 on bad input (one line on stderr),
1 on an internal error.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from .document import Document, load_document
from .frontmatter import KnowledgeError
from .index import KnowledgeIndex, LoadProblem, user_knowledge_dir, workspace_knowledge_dir
from .retrieval import retrieve
from .signals import Signals
from .vocabulary import BOTTLENECK_CLASSES, error_classes

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--workspace",
        type=Path,
        default=None,
        help="workspace whose .kernelwright/knowledge/ is indexed (default: cwd)",
    )
    common.add_argument(
        "--kb-dir",
        type=Path,
        action="append",
        default=[],
        dest="kb_dirs",
        help="another folder of knowledge documents (repeatable)",
    )
    common.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    commands = parser.add_subparsers(dest="kb_command", metavar="list|search|show|add")
    commands.required = True

    commands.add_parser("list", parents=[common], help="list every document and skill")

    search = commands.add_parser(
        "search", parents=[common], help="rank documents for a query (and optional signals)"
    )
    search.add_argument("query", metavar="QUERY")
    search.add_argument("--limit", type=_at_least_one, default=10)
    search.add_argument("--bottleneck", choices=BOTTLENECK_CLASSES)
    search.add_argument("--error-class", choices=error_classes())
    search.add_argument(
        "--op", action="append", default=[], dest="ops", help="op class (repeatable)"
    )
    search.add_argument("--device", help="device name, e.g. 'NVIDIA H100 80GB HBM3'")
    search.add_argument("--dtype")
    search.add_argument("--budget", type=int, help="token budget: retrieve as a prompt would")

    show = commands.add_parser("show", parents=[common], help="print one document")
    show.add_argument("doc_id", metavar="ID")

    add = commands.add_parser(
        "add",
        parents=[common],
        help="validate a document and copy it into the workspace knowledge folder",
    )
    add.add_argument("file", metavar="FILE", type=Path)
    add.add_argument(
        "--user",
        action="store_true",
        help="add to the user's data directory instead of the workspace",
    )


def run(args: argparse.Namespace) -> int:
    handlers = {"list": _list, "search": _search, "show": _show, "add": _add}
    try:
        return handlers[args.kb_command](args)
    except KnowledgeError as exc:
        return _bad_input(str(exc))
    except BrokenPipeError:
        raise  # the reader left: the CLI ends quietly (server/cli.py)
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INTERNAL


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def _load(args: argparse.Namespace) -> KnowledgeIndex:
    workspace = args.workspace if args.workspace is not None else Path.cwd()
    missing = [str(d) for d in args.kb_dirs if not d.is_dir()]
    if missing:
        raise KnowledgeError(f"--kb-dir {missing[0]} is not a folder")
    return KnowledgeIndex.load(workspace=workspace, extra_dirs=args.kb_dirs)


def _list(args: argparse.Namespace) -> int:
    index = _load(args)
    if args.json:
        _print_json(
            {
                "documents": [d.summary() for d in index.documents],
                "problems": _problems_json(index.problems),
            }
        )
        return EXIT_OK
    table = Table(title=f"{len(index.documents)} knowledge documents")
    for column in ("ID", "Tier", "Origin", "Title", "Signals / ops / devices"):
        table.add_column(column, no_wrap=column == "ID")
    for doc in index.documents:
        tags = ", ".join([*doc.signals, *doc.ops, *doc.devices])
        table.add_row(doc.id, doc.tier, doc.origin, doc.title, tags)
    Console(file=sys.stdout).print(table)
    _report_problems(index.problems)
    return EXIT_OK


def _search(args: argparse.Namespace) -> int:
    index = _load(args)
    signals = Signals(
        bottleneck=args.bottleneck,
        error_class=args.error_class,
        op_classes=tuple(args.ops),
        device=args.device,
        dtype=args.dtype,
    )
    uses_signals = signals != Signals() or args.budget is not None
    if uses_signals:
        budget = args.budget if args.budget is not None else 4000
        results: Sequence[tuple[Any, float | None]] = [
            (d, None) for d in retrieve(signals, budget, args.query, index=index)
        ]
    else:
        results = index.search(args.query, limit=args.limit)
    if args.json:
        _print_json(
            {
                "query": args.query,
                "results": [{**d.summary(), "score": s} for d, s in results],
                "problems": _problems_json(index.problems),
            }
        )
        return EXIT_OK
    if not results:
        print(f"no documents match {args.query!r}")
    else:
        table = Table(title=f"Results for {args.query!r}")
        for column in ("#", "ID", "Tier", "Title", "Score" if not uses_signals else "Tokens"):
            table.add_column(column, no_wrap=column == "ID")
        for rank, (doc, score) in enumerate(results, start=1):
            last = f"{score:.2f}" if score is not None else str(doc.tokens)
            table.add_row(str(rank), doc.id, doc.tier, doc.title, last)
        Console(file=sys.stdout).print(table)
    _report_problems(index.problems)
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    index = _load(args)
    doc = index.get(args.doc_id)
    if doc is None:
        return _bad_input(
            f"no knowledge document with id {args.doc_id!r} (see `kernelwright kb list`)"
        )
    if args.json:
        _print_json(_full_json(doc))
        return EXIT_OK
    console = Console(file=sys.stdout)
    console.print(f"[bold]{doc.title}[/bold]  ({doc.id} · {doc.tier} · {doc.origin})")
    if doc.path:
        console.print(f"[dim]{doc.path}[/dim]")
    console.print(Markdown(doc.body))
    for source in doc.sources:
        console.print(f"Source: {source}", highlight=False)
    return EXIT_OK


def _add(args: argparse.Namespace) -> int:
    source: Path = args.file
    if not source.is_file():
        return _bad_input(f"{source}: no such file")
    doc = load_document(source, origin="user" if args.user else "workspace")  # KnowledgeError -> 2
    if args.user:
        destination = user_knowledge_dir()
    else:
        workspace = args.workspace if args.workspace is not None else Path.cwd()
        destination = workspace_knowledge_dir(workspace)
    target = destination / f"{doc.id}.md"
    clash = _same_id_elsewhere(destination, doc.id, target)
    if clash is not None:
        return _bad_input(f"{source}: id {doc.id!r} is already used by {clash}")
    destination.mkdir(parents=True, exist_ok=True)
    if source.resolve() != target.resolve():
        shutil.copyfile(source, target)
    if args.json:
        _print_json({"added": doc.id, "tier": doc.tier, "path": str(target)})
    else:
        print(f"added {doc.id} ({doc.tier}) -> {target}")
    return EXIT_OK


def _same_id_elsewhere(folder: Path, doc_id: str, target: Path) -> Path | None:
    if not folder.is_dir():
        return None
    for path in sorted(folder.rglob("*.md")):
        if path.resolve() == target.resolve():
            continue
        try:
            if load_document(path, origin="workspace").id == doc_id:
                return path
        except KnowledgeError:
            continue
    return None


def _full_json(doc: Document) -> dict[str, Any]:
    return {
        **doc.summary(),
        "body": doc.body,
        "sources": list(doc.sources),
        "dtypes": list(doc.dtypes),
        "meta": doc.meta,
    }


def _problems_json(problems: list[LoadProblem]) -> list[dict[str, str]]:
    return [{"path": str(p.path), "reason": str(p)} for p in problems]


def _report_problems(problems: list[LoadProblem]) -> None:
    for problem in problems:
        print(f"warning: skipped {problem}", file=sys.stderr)


def _print_json(payload: dict[str, Any]) -> None:
    print(json.dumps(payload, ensure_ascii=False, default=str))


def _bad_input(reason: str) -> int:
    print(f"error: {reason}", file=sys.stderr)
    return EXIT_BAD_INPUT
