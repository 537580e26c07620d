"""Keeping a target's candidates the way a finished search leaves them: each
candidate's node (source and result) in the results store, where the server
reads it, and the record with its ranked ids in the server's index."""

from __future__ import annotations

from kernelwright.harness.store import Store
from kernelwright.server.results import Candidate, Record
from kernelwright.server.search_messages import split_candidate_id


def store_candidate(store_path: str, cand: Candidate) -> None:
    search_id, node_id = split_candidate_id(cand.id)
    result = {
        "outcome": cand.outcome,
        "device": cand.device,
        "speedup": cand.speedup,
        "profile": cand.profile,
        "timing": cand.timing,
    }
    store = Store(store_path)
    try:
        store.put_node(
            search_id,
            node_id,
            "problem",
            cand.device,
            {"id": node_id, "source": cand.source, "result": result},
        )
    finally:
        store.close()


def put_record(session, record: Record) -> None:
    for cand in record.candidates:
        store_candidate(session.settings.store_path, cand)
    session.index.put(record)
