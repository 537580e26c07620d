"""A search run's record in the store: its status, its nodes, and the tree a resumed
run rebuilds from them.

The store is what the editor reads a candidate's numbers from and what `--resume`
trusts, so every write of a search goes through here: a node is stored before it
runs (a run killed then finds it and runs it again), a run is `running` only while
its process lives, and it ends `done`, `cancelled` or `failed`, never left
`running` for a resume to trust.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any

from kernelwright.agent.api import SearchConfig
from kernelwright.agent.strategies import Strategy
from kernelwright.agent.tree import Node, Tree, no_candidate, node_number
from kernelwright.harness.evaluate import BadInputError
from kernelwright.harness.sandbox import process_alive
from kernelwright.harness.store import Store


@dataclass
class Restored:
    """What a resumed run takes over from the stored tree."""

    interrupted: list[Node] = field(default_factory=list)  # stored in flight: run again
    failed: int = 0  # failed evaluations among the stored nodes
    notes: list[str] = field(default_factory=list)


class SearchRecord:
    def __init__(
        self,
        store: Store,
        search_id: str,
        problem_hash: str,
        problem_path: str,
        device: str,
        config: SearchConfig,
    ) -> None:
        self.store, self.search_id = store, search_id
        self.problem_hash, self.problem_path, self.device = problem_hash, problem_path, device
        self.config = config

    def mark(self, status: str) -> None:
        """`running` (with this process's id, so a resume can tell a live run from a dead
        one), `done`, `cancelled` or `failed`."""
        meta: dict[str, Any] = {"config": config_dict(self.config), "status": status}
        if status == "running":
            meta["pid"] = os.getpid()
        self.store.put_search(
            self.search_id, self.problem_hash, self.problem_path, self.device, meta
        )

    def put_node(self, node: Node) -> None:
        self.store.put_node(self.search_id, node.id, self.problem_hash, self.device, node.to_dict())

    def restore(self, tree: Tree, strategy: Strategy) -> Restored:
        """The stored tree, rebuilt into `tree` in id order (parents before children). A
        node stored without a result was in flight when the last run stopped: it is
        evaluated again. Refuses to resume a run whose process still lives."""
        previous = self.store.get_search(self.search_id) or {}
        if (
            previous.get("status") == "running"
            and previous.get("pid") != os.getpid()
            and isinstance(previous.get("pid"), int)
            and process_alive(previous["pid"])
        ):
            raise BadInputError(
                f"search {self.search_id} of this problem is still running "
                f"(pid {previous['pid']}); stop it before resuming"
            )
        restored = Restored()
        if previous.get("status") == "running":
            restored.notes.append(
                f"the last run of search {self.search_id} (pid "
                f"{previous.get('pid', '?')}) stopped without finishing"
            )
        stored = sorted(
            self.store.nodes(self.search_id), key=lambda data: node_number(str(data.get("id", "")))
        )
        refused = []
        for data in stored:
            try:
                node = tree.add(Node.from_dict({**data, "visits": 0, "value_sum": 0.0}))
            except (ValueError, TypeError) as err:
                refused.append(f"{data.get('id', '?')} ({err})")
                continue
            if node.result is not None:
                strategy.observe(tree, node)
                restored.failed += 0 if node.ok or no_candidate(node) else 1
            else:
                restored.interrupted.append(node)
        done = len(stored) - len(restored.interrupted) - len(refused)
        again = (
            f"{len(restored.interrupted)} that were in flight evaluated again"
            if restored.interrupted
            else "none re-evaluated"
        )
        restored.notes.append(
            f"resumed search {self.search_id}: {done} evaluated node(s) from the store, {again}"
        )
        if refused:
            restored.notes.append(
                "stored nodes left out of the resumed tree: " + "; ".join(refused)
            )
        return restored


def config_dict(config: SearchConfig) -> dict[str, Any]:
    """The run's settings as stored beside it (the store's path is where, not what)."""
    return {k: v for k, v in asdict(config).items() if k != "store_path"}
