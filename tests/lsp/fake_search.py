"""A stand-in for agent.search.run_search, for the server's plumbing tests only.

It evaluates nothing: each "candidate" is the problem's own Model renamed to
ModelNew (so applying it must leave the file computing the same), reported as
verified on CPU with no timing, one every `FAKE_STEP_S` seconds. Like the real
search it stores every node in the results store (the one home of a candidate's
source and results, where the server reads them) and names its run in the report,
and it sends the events the real one sends around each evaluation (a notice, then
`proposed` and `evaluated`): most of them change no count the editor shows.
"""

import asyncio
import os
import uuid
from pathlib import Path

from kernelwright.agent.api import SearchEvent, SearchReport
from kernelwright.harness.store import Store, content_hash

STEP_S = float(os.environ.get("FAKE_STEP_S", "0.2"))


async def run_search(problem_path, config, on_event=None, cancel=None):
    source = Path(problem_path).read_text()
    candidate = source.replace("class Model(", "class ModelNew(")
    store = Store(config.store_path)
    search_id = f"fake-{uuid.uuid4().hex[:8]}"
    nodes = []
    if on_event:
        on_event(SearchEvent("notice", 0, 0, config.budget, None, message="a sandbox note"))
    for i in range(config.budget):
        if cancel is not None and cancel.is_set():
            break
        if on_event:
            on_event(SearchEvent("proposed", i, 0, config.budget, None, node={"id": f"n{i:04d}"}))
        await asyncio.sleep(STEP_S)
        result = {
            "outcome": "ok",
            "speedup": None,
            "device": "cpu",
            "profile": {"bottleneck": None},
            "timing": None,
        }
        node = {"id": f"n{i:04d}", "source": candidate, **result}
        store.put_node(
            search_id,
            node["id"],
            content_hash(source),
            "cpu",
            {"id": node["id"], "source": candidate, "result": result},
        )
        nodes.append(node)
        if on_event:
            on_event(SearchEvent("evaluated", i + 1, 0, config.budget, None, node=node))
    store.close()
    return SearchReport(
        problem_path, "cpu", nodes[0] if nodes else None, len(nodes), nodes, search_id=search_id
    )


async def profile_problem(problem_path, device="auto", store_path=None):
    """Stand-in numbers for the plumbing tests: labelled as such in the profile."""
    return {
        "device": "cpu",
        "timing": {"median_ms": 0.5, "iqr_ms": 0.01, "n": 10},
        "profile": {
            "bottleneck": "memory-bound",
            "achieved_gbps": 12.0,
            "pct_peak_bw": 40.0,
            "achieved_tflops": 0.01,
            "pct_peak_flops": 1.0,
            "note": "fake",
        },
    }
