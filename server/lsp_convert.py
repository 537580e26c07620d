"""The one place domain objects become lsprotocol types (jedi_utils.py's role)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from lsprotocol import types as lsp

from . import names
from .documents import ParsedDocument
from .edits import Edit

SOURCE = "kernelwright"
APPLY_ANNOTATION = "kernelwright.apply"


def byte_range(doc: ParsedDocument, start: int, end: int) -> lsp.Range:
    s, e = doc.position_of_byte(start), doc.position_of_byte(end)
    return lsp.Range(lsp.Position(s.line, s.character), lsp.Position(e.line, e.character))


def range_to_bytes(doc: ParsedDocument, rng: lsp.Range) -> tuple[int, int]:
    return (
        doc.byte_of(rng.start.line, rng.start.character),
        doc.byte_of(rng.end.line, rng.end.character),
    )


def range_json(rng: lsp.Range) -> dict[str, Any]:
    return {
        "start": {"line": rng.start.line, "character": rng.start.character},
        "end": {"line": rng.end.line, "character": rng.end.character},
    }


def range_from_json(data: Any) -> lsp.Range:
    """A Range from a command argument; ValueError says what is wrong."""
    try:
        s, e = data["start"], data["end"]
        rng = lsp.Range(
            lsp.Position(int(s["line"]), int(s["character"])),
            lsp.Position(int(e["line"]), int(e["character"])),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(
            f"range must be {{start: {{line, character}}, end: {{...}}}}, got {data!r}"
        ) from err
    if min(rng.start.line, rng.start.character, rng.end.line, rng.end.character) < 0:
        raise ValueError("range positions must not be negative")
    return rng


def target_args(uri: str, rng: lsp.Range) -> list[Any]:
    return [{"uri": uri, "range": range_json(rng)}]


def command(title: str, name: str, args: list[Any]) -> lsp.Command:
    return lsp.Command(title=title, command=name, arguments=args)


def optimize_action(title: str, uri: str, rng: lsp.Range) -> lsp.CodeAction:
    return lsp.CodeAction(
        title=title,
        kind=names.CODE_ACTION_KIND,
        command=command(title, names.CMD_OPTIMIZE, target_args(uri, rng)),
    )


def apply_action(title: str, data: dict[str, Any], preferred: bool) -> lsp.CodeAction:
    return lsp.CodeAction(
        title=title, kind=names.CODE_ACTION_KIND, is_preferred=preferred or None, data=data
    )


def diagnostic(
    doc: ParsedDocument,
    start: int,
    end: int,
    message: str,
    code: str,
    severity: lsp.DiagnosticSeverity = lsp.DiagnosticSeverity.Information,
    data: Any = None,
) -> lsp.Diagnostic:
    return lsp.Diagnostic(
        range=byte_range(doc, start, end),
        message=message,
        severity=severity,
        source=SOURCE,
        code=code,
        data=data,
    )


def quickfix_insert(
    title: str,
    uri: str,
    version: int | None,
    doc: ParsedDocument,
    at: int,
    text: str,
    diagnostics: list[lsp.Diagnostic],
) -> lsp.CodeAction:
    rng = byte_range(doc, at, at)
    edit = lsp.WorkspaceEdit(
        document_changes=[
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                edits=[lsp.TextEdit(range=rng, new_text=text)],
            )
        ]
    )
    return lsp.CodeAction(
        title=title, kind=lsp.CodeActionKind.QuickFix, edit=edit, diagnostics=diagnostics or None
    )


def workspace_edit(
    doc: ParsedDocument,
    uri: str,
    version: int | None,
    edits: Iterable[Edit],
    label: str,
    description: str,
    caps: lsp.ClientCapabilities | None,
) -> lsp.WorkspaceEdit:
    """A versioned TextDocumentEdit, annotated when the client can preview annotations."""
    ws = caps.workspace.workspace_edit if caps and caps.workspace else None
    versioned = bool(ws and ws.document_changes)
    annotated = bool(ws and ws.change_annotation_support is not None)
    text_edits: list[lsp.TextEdit | lsp.AnnotatedTextEdit] = []
    for e in edits:
        rng = byte_range(doc, e.start, e.end)
        if annotated:
            text_edits.append(
                lsp.AnnotatedTextEdit(range=rng, new_text=e.text, annotation_id=APPLY_ANNOTATION)
            )
        else:
            text_edits.append(lsp.TextEdit(range=rng, new_text=e.text))
    if not versioned:
        # `changes` is typed as plain TextEdits; annotated ones (a client announcing
        # annotation support without documentChanges) go as they always have.
        return lsp.WorkspaceEdit(changes={uri: cast(list[lsp.TextEdit], text_edits)})
    return lsp.WorkspaceEdit(
        document_changes=[
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                edits=text_edits,
            )
        ],
        change_annotations={
            APPLY_ANNOTATION: lsp.ChangeAnnotation(
                label=label, needs_confirmation=False, description=description
            )
        }
        if annotated
        else None,
    )


def markdown(text: str) -> lsp.MarkupContent:
    return lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text)


def lens(doc: ParsedDocument, start: int, title: str, name: str, args: list[Any]) -> lsp.CodeLens:
    return lsp.CodeLens(range=byte_range(doc, start, start), command=command(title, name, args))


def inlay(doc: ParsedDocument, at: int, label: str, tooltip: str) -> lsp.InlayHint:
    pos = doc.position_of_byte(at)
    return lsp.InlayHint(
        position=lsp.Position(pos.line, pos.character),
        label=label,
        padding_left=True,
        tooltip=markdown(tooltip),
    )


def progress_begin(title: str, message: str) -> lsp.WorkDoneProgressBegin:
    return lsp.WorkDoneProgressBegin(title=title, message=message, percentage=0, cancellable=True)


def progress_report(message: str, percentage: int) -> lsp.WorkDoneProgressReport:
    return lsp.WorkDoneProgressReport(message=message, percentage=percentage, cancellable=True)


def progress_end(message: str) -> lsp.WorkDoneProgressEnd:
    return lsp.WorkDoneProgressEnd(message=message)
