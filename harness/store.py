"""The results store: SQLite in WAL mode, so a CLI run and the language server can share it.

Verdicts are keyed by problem hash, candidate hash, device and versions: the
same candidate on another GPU or another Triton is a new measurement.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kernelwright.harness.paths import default_store_path

SCHEMA = """
CREATE TABLE IF NOT EXISTS evals (
    key TEXT PRIMARY KEY,
    problem_hash TEXT NOT NULL,
    candidate_hash TEXT NOT NULL,
    device TEXT NOT NULL,
    versions TEXT NOT NULL,
    outcome TEXT NOT NULL,
    result TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS evals_by_problem ON evals(problem_hash, device);
CREATE TABLE IF NOT EXISTS peaks (
    device TEXT PRIMARY KEY,
    versions TEXT NOT NULL,
    result TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS profiles (
    key TEXT PRIMARY KEY,
    problem_hash TEXT NOT NULL,
    device TEXT NOT NULL,
    result TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS nodes (
    search_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    problem_hash TEXT NOT NULL,
    device TEXT NOT NULL,
    data TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (search_id, node_id)
);
CREATE TABLE IF NOT EXISTS searches (
    search_id TEXT PRIMARY KEY,
    problem_hash TEXT NOT NULL,
    problem_path TEXT NOT NULL,
    device TEXT NOT NULL,
    data TEXT NOT NULL,
    created REAL NOT NULL
);
"""


def _unwritable(path: Path, err: sqlite3.DatabaseError) -> bool:
    if isinstance(err, sqlite3.OperationalError) and "readonly" in str(err).replace(" ", ""):
        return True
    folder = path.parent
    return not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK))


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def eval_key(
    problem_hash: str,
    candidate_hash: str,
    device: str,
    versions: dict[str, str],
    options: dict[str, Any],
) -> str:
    blob = json.dumps([problem_hash, candidate_hash, device, versions, options], sort_keys=True)
    return content_hash(blob)


class Store:
    """The results store. A fault of the file is the user's to see, never fatal: a
    corrupt store is moved aside and rebuilt, one that cannot be written (a read-only
    cache folder) is replaced by a store in memory for this run. `notice` says which."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_store_path()
        self.notice: str | None = None
        try:
            self._db = self._open(self.path)
        except sqlite3.DatabaseError as err:
            if _unwritable(self.path, err):
                self.notice = (
                    f"the results store {self.path} cannot be written ({err}); "
                    "this run keeps its results in memory only"
                )
            else:
                aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
                try:
                    self.path.rename(aside)
                    self._db = self._open(self.path)
                    self.notice = (
                        f"the results store {self.path} was damaged ({err}); "
                        f"moved aside to {aside.name} and started afresh"
                    )
                    return
                except (OSError, sqlite3.DatabaseError) as again:
                    self.notice = (
                        f"the results store {self.path} is damaged ({err}) and "
                        f"could not be replaced ({again}); this run keeps its "
                        "results in memory only"
                    )
            self._db = self._open(":memory:")
        except OSError as err:
            self.notice = (
                f"the results store's folder {self.path.parent} cannot be used "
                f"({err.strerror or err}); this run keeps its results in memory only"
            )
            self._db = self._open(":memory:")

    @staticmethod
    def _open(path: Path | str) -> sqlite3.Connection:
        if isinstance(path, Path):
            path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        try:
            if isinstance(path, Path):
                db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA)
            db.execute("SELECT COUNT(*) FROM evals").fetchone()  # a damaged page shows here
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def close(self) -> None:
        self._db.close()

    # -- evaluations ---------------------------------------------------------
    def get_eval(self, key: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT result FROM evals WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put_eval(
        self,
        key: str,
        problem_hash: str,
        candidate_hash: str,
        device: str,
        versions: dict[str, str],
        result: dict[str, Any],
    ) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO evals VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                problem_hash,
                candidate_hash,
                device,
                json.dumps(versions, sort_keys=True),
                result["outcome"],
                json.dumps(result),
                time.time(),
            ),
        )
        self._db.commit()

    def evals_for_problem(self, problem_hash: str) -> Iterator[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT result FROM evals WHERE problem_hash = ? ORDER BY created", (problem_hash,)
        )
        for (text,) in rows:
            yield json.loads(text)

    # -- device peaks ----------------------------------------------------------
    def get_peaks(self, device: str, versions: dict[str, str]) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT result, versions FROM peaks WHERE device = ?", (device,)
        ).fetchone()
        if row and json.loads(row[1]) == versions:
            return json.loads(row[0])
        return None

    def put_peaks(self, device: str, versions: dict[str, str], peaks: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO peaks VALUES (?, ?, ?, ?)",
            (device, json.dumps(versions, sort_keys=True), json.dumps(peaks), time.time()),
        )
        self._db.commit()

    # -- reference profiles ------------------------------------------------------
    def get_profile(self, key: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT result FROM profiles WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put_profile(self, key: str, problem_hash: str, device: str, result: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO profiles VALUES (?, ?, ?, ?, ?)",
            (key, problem_hash, device, json.dumps(result), time.time()),
        )
        self._db.commit()

    # -- search trees (agent layer) -------------------------------------------------
    def put_search(
        self,
        search_id: str,
        problem_hash: str,
        problem_path: str,
        device: str,
        data: dict[str, Any],
    ) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO searches VALUES (?, ?, ?, ?, ?, ?)",
            (search_id, problem_hash, problem_path, device, json.dumps(data), time.time()),
        )
        self._db.commit()

    def get_search(self, search_id: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT data FROM searches WHERE search_id = ?", (search_id,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def latest_run(self, lineage: str) -> str | None:
        """The id of the last run (`<lineage>-<run>`) of a search, the one `--resume` continues."""
        row = self._db.execute(
            "SELECT search_id FROM searches WHERE search_id LIKE ? ORDER BY created DESC LIMIT 1",
            (f"{lineage}-%",),
        ).fetchone()
        return row[0] if row else None

    def put_node(
        self, search_id: str, node_id: str, problem_hash: str, device: str, data: dict[str, Any]
    ) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO nodes VALUES (?, ?, ?, ?, ?, ?)",
            (search_id, node_id, problem_hash, device, json.dumps(data), time.time()),
        )
        self._db.commit()

    def node(self, search_id: str, node_id: str) -> dict[str, Any] | None:
        """One stored node (source and result): the one home of a candidate, by its id."""
        row = self._db.execute(
            "SELECT data FROM nodes WHERE search_id = ? AND node_id = ?", (search_id, node_id)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def nodes(self, search_id: str) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT data FROM nodes WHERE search_id = ? ORDER BY created", (search_id,)
        )
        return [json.loads(text) for (text,) in rows]
