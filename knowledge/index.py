"""Every knowledge document kernelwright can see, from every place it looks.

Sources, lowest precedence first (a later document with the same id replaces
an earlier one, so a team can correct a shipped page in its workspace):

    shipped    knowledge/docs/ in this package
    skill      <data dir>/skills/       written back after successful searches
    user       <data dir>/knowledge/    `kb add --user`
    extra      folders in $KERNELWRIGHT_KNOWLEDGE_PATH and `extra_dirs`
    workspace  <workspace>/.kernelwright/knowledge/

A document that does not parse is skipped and kept in `problems` with its file
name, so one broken team note never hides the rest of the knowledge base.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..harness.paths import data_dir
from .document import SKILL, Document, load_document
from .frontmatter import KnowledgeError
from .lexical import BM25

SHIPPED_DIR = Path(__file__).parent / "docs"
WORKSPACE_SUBDIR = Path(".kernelwright") / "knowledge"
EXTRA_PATH_ENV = "KERNELWRIGHT_KNOWLEDGE_PATH"  # os.pathsep-separated folders
IGNORED_NAMES = {"readme.md"}  # a folder's own README is not a knowledge document


def user_knowledge_dir() -> Path:
    return data_dir() / "knowledge"


def skills_dir() -> Path:
    return data_dir() / "skills"


def workspace_knowledge_dir(workspace: Path) -> Path:
    return Path(workspace) / WORKSPACE_SUBDIR


@dataclass(frozen=True)
class LoadProblem:
    path: Path
    reason: str

    def __str__(self) -> str:
        return self.reason if str(self.path) in self.reason else f"{self.path}: {self.reason}"


@dataclass
class KnowledgeIndex:
    documents: list[Document] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    overridden: list[tuple[Document, Document]] = field(default_factory=list)  # (old, new)
    _lexical: BM25 | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(
        cls,
        workspace: Path | str | None = None,
        extra_dirs: Sequence[Path | str] = (),
        *,
        include_shipped: bool = True,
        include_user: bool = True,
    ) -> KnowledgeIndex:
        index = cls()
        for origin, folder in _sources(workspace, extra_dirs, include_shipped, include_user):
            index._add_folder(folder, origin)
        index.documents.sort(key=lambda d: (d.tier, d.id))
        return index

    def _add_folder(self, folder: Path, origin: str) -> None:
        if not folder.is_dir():
            return
        seen_here: dict[str, Path] = {}
        for path in sorted(folder.rglob("*.md")):
            if path.name.lower() in IGNORED_NAMES or not path.is_file():
                continue
            try:
                doc = load_document(path, origin=origin)
            except KnowledgeError as exc:
                self.problems.append(LoadProblem(path, str(exc)))
                continue
            if origin == "skill" and doc.tier != SKILL:
                self.problems.append(
                    LoadProblem(path, f"{path}: files in {folder} must have tier 'skill'")
                )
                continue
            if doc.id in seen_here:
                self.problems.append(
                    LoadProblem(
                        path, f"{path}: duplicate id {doc.id!r} (also in {seen_here[doc.id]})"
                    )
                )
                continue
            seen_here[doc.id] = path
            self._put(doc)

    def _put(self, doc: Document) -> None:
        for position, existing in enumerate(self.documents):
            if existing.id == doc.id:
                self.overridden.append((existing, doc))
                self.documents[position] = doc
                return
        self.documents.append(doc)

    def get(self, doc_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == doc_id), None)

    def by_tier(self, tier: str) -> list[Document]:
        return [d for d in self.documents if d.tier == tier]

    def search(self, query: str, limit: int | None = 10) -> list[tuple[Document, float]]:
        """Lexical (BM25) ranking over every document."""
        if self._lexical is None:
            self._lexical = BM25(self.documents)
        return self._lexical.rank(query, limit)


def _sources(
    workspace: Path | str | None,
    extra_dirs: Sequence[Path | str],
    include_shipped: bool,
    include_user: bool,
) -> Iterable[tuple[str, Path]]:
    if include_shipped:
        yield "shipped", SHIPPED_DIR
    if include_user:
        yield "skill", skills_dir()
        yield "user", user_knowledge_dir()
    configured = [p for p in os.environ.get(EXTRA_PATH_ENV, "").split(os.pathsep) if p]
    for folder in [*configured, *extra_dirs]:
        yield "extra", Path(folder).expanduser()
    if workspace is not None:
        yield "workspace", workspace_knowledge_dir(Path(workspace))
