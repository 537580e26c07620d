"""Parsed documents: one tree-sitter tree per open file, re-parsed incrementally.

pygls applies a change to its own copy of the text before our handler runs,
so we keep the text the tree was parsed from and replay each change on it to
compute the byte edit tree-sitter needs. If our copy ever disagrees with the
workspace's (a client that sends something we mis-replay), we parse afresh.

Tree-sitter columns are bytes; LSP positions count UTF-16 code units by default
(`encoding` says which). Conversions between the two live here.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import tree_sitter_python
from tree_sitter import Language, Node, Parser, Point, Tree

log = logging.getLogger(__name__)

PY_LANGUAGE = Language(tree_sitter_python.language())


def new_parser() -> Parser:
    return Parser(PY_LANGUAGE)


_COMMENT_RUN = re.compile(rb"(?m)(?:^[ \t]*#[^\r\n]*\r?\n){%d,}" % 50)
_COMMENT = re.compile(rb"#[^\r\n]*")


def parse_view(source: bytes) -> bytes:
    """What the parser reads: runs of 50 or more comment-only lines blanked, byte for byte.

    tree-sitter-python's scanner looks ahead across every following comment line
    at each one, so a file ending in a long run of comments parsed in quadratic
    time (0.2 MB: 2.4 s, 0.8 MB: 47 s, the whole server waiting). Blanked, the
    same file parses in milliseconds. Offsets are unchanged, and nothing reads a
    comment from the tree (shape annotations are read from the text). Only long
    runs are blanked, so a `#` line inside a multi-line string (which the tree
    would copy into a problem) is left alone in any file written by a person.
    """
    return _COMMENT_RUN.sub(
        lambda m: _COMMENT.sub(lambda c: b" " * len(c.group(0)), m.group(0)), source
    )


def _units(text: str, encoding: str) -> int:
    """Length of `text` in the position encoding's code units."""
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _char_index(line: str, column: int, encoding: str) -> int:
    """Index into `line` of the character at `column` code units (clamped)."""
    if encoding == "utf-32":
        return min(column, len(line))
    count = 0
    for i, ch in enumerate(line):
        if count >= column:
            return i
        count += _units(ch, encoding)
    return len(line)


@dataclass
class Pos:
    line: int
    character: int


class ParsedDocument:
    """A document's text, its line table and its tree."""

    def __init__(self, uri: str, text: str, version: int | None, encoding: str = "utf-16"):
        self.uri = uri
        self.version = version
        self.encoding = encoding
        self._parser = new_parser()
        self.reparses = 0  # incremental re-parses, for tests and the benchmark
        self._set_text(text)
        self.tree: Tree = self._parser.parse(parse_view(self.source))

    def _set_text(self, text: str) -> None:
        self.cache: dict = {}  # per-version analysis results (detect.py), dropped on change
        self.text = text
        self.source = text.encode("utf-8")
        self.lines = text.split("\n")
        self._line_bytes: list[int] = []
        offset = 0
        for line in self.lines:
            self._line_bytes.append(offset)
            offset += len(line.encode("utf-8")) + 1

    # -- positions ---------------------------------------------------------
    def byte_of(self, line: int, column: int) -> int:
        if line >= len(self.lines):
            return len(self.source)
        text = self.lines[line]
        idx = _char_index(text, column, self.encoding)
        return self._line_bytes[line] + len(text[:idx].encode("utf-8"))

    def point_of(self, line: int, column: int) -> Point:
        return Point(
            line, self.byte_of(line, column) - self._line_bytes[min(line, len(self.lines) - 1)]
        )

    def position_of_byte(self, byte: int) -> Pos:
        """LSP position of a byte offset."""
        lo, hi = 0, len(self._line_bytes) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_bytes[mid] <= byte:
                lo = mid
            else:
                hi = mid - 1
        col_bytes = self.source[self._line_bytes[lo] : byte].decode("utf-8", errors="replace")
        return Pos(lo, _units(col_bytes, self.encoding))

    def node_text(self, node: Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8")

    # -- changes -----------------------------------------------------------
    def apply_change(self, start: Pos | None, end: Pos | None, new_text: str) -> None:
        """Replay one LSP content change (a full replacement when start is None)."""
        if start is None or end is None:
            self._set_text(new_text)
            self.tree = self._parser.parse(parse_view(self.source))
            return
        start_byte = self.byte_of(start.line, start.character)
        old_end_byte = self.byte_of(end.line, end.character)
        old_source = self.source
        inserted = new_text.encode("utf-8")
        new_source = old_source[:start_byte] + inserted + old_source[old_end_byte:]
        # The edit, widened to whole lines: a change can turn a line into a comment (or
        # back), which changes the parser's view of the rest of that line (`parse_view`).
        line_start = self._line_bytes[min(start.line, len(self.lines) - 1)]
        end_line = min(end.line, len(self.lines) - 1)
        line_end = self._line_bytes[end_line] + len(self.lines[end_line].encode("utf-8"))
        tail = max(line_end - old_end_byte, 0)
        old_end_point = self.point_of(end.line, end.character)
        head = inserted[: inserted.rfind(b"\n") + 1]
        if head:
            new_end_col = len(inserted) - len(head) + tail
            new_end_point = Point(start.line + inserted.count(b"\n"), new_end_col)
        else:
            start_col = start_byte - line_start
            new_end_point = Point(start.line, start_col + len(inserted) + tail)
        self.tree.edit(
            start_byte=line_start,
            old_end_byte=old_end_byte + tail,
            new_end_byte=start_byte + len(inserted) + tail,
            start_point=Point(start.line, 0),
            old_end_point=Point(old_end_point.row, old_end_point.column + tail),
            new_end_point=new_end_point,
        )
        self._set_text(new_source.decode("utf-8"))
        self.tree = self._parser.parse(parse_view(self.source), self.tree)
        self.reparses += 1

    def sync_to(self, text: str, version: int | None) -> None:
        """Make sure we hold exactly the workspace's text; parse afresh if not."""
        self.version = version
        if text != self.text:
            log.warning("document %s drifted from the workspace copy; full re-parse", self.uri)
            self._set_text(text)
            self.tree = self._parser.parse(parse_view(self.source))


class DocumentStore:
    """All parsed documents by URI."""

    def __init__(self) -> None:
        self._docs: dict[str, ParsedDocument] = {}
        self.encoding = "utf-16"

    def open(self, uri: str, text: str, version: int | None) -> ParsedDocument:
        doc = ParsedDocument(uri, text, version, self.encoding)
        self._docs[uri] = doc
        return doc

    def get(self, uri: str) -> ParsedDocument | None:
        return self._docs.get(uri)

    def close(self, uri: str) -> None:
        self._docs.pop(uri, None)

    def uris(self) -> list[str]:
        return list(self._docs)
