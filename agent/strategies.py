"""Selection strategies: which node to grow next, and with which memory operator.

Both are deterministic given the search's seeded RNG, so a search can be
replayed and `--resume` rebuilds the same state from the stored nodes.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from kernelwright.agent import memory
from kernelwright.agent.tree import ROOT, Node, Tree


@dataclass(frozen=True)
class Expansion:
    parent: str | None  # None: a child of the reference (a fresh start)
    memory: str
    crossover_with: str | None = None
    island: int = 0


class MCTS:
    """UCT over the candidate tree with progressive widening.

    UCT (Kocsis & Szepesvári 2006) balances a child's mean reward against how
    rarely it was tried; progressive widening (Coulom 2007) lets a node gain a
    new child only when its visits justify it, so the search deepens around
    good kernels instead of re-rolling the root forever.
    """

    name = "mcts"

    def __init__(self, exploration: float = 1.0, widen_k: float = 2.0, widen_alpha: float = 0.5):
        self.exploration = exploration
        self.widen_k = widen_k
        self.widen_alpha = widen_alpha

    def _width(self, visits: int) -> int:
        return math.ceil(self.widen_k * max(visits, 1) ** self.widen_alpha)

    def _uct(self, child: Node, parent_visits: int) -> float:
        if child.visits == 0:
            return -math.inf  # in flight: its value is unknown, do not descend into it
        mean = child.value_sum / child.visits
        return mean + self.exploration * math.sqrt(math.log(max(parent_visits, 1)) / child.visits)

    def next(self, tree: Tree, rng: random.Random, stagnant: bool) -> Expansion:
        node_id, visits = ROOT, tree.root_visits
        while True:
            kids = tree.kids(node_id)
            if len(kids) < self._width(visits):
                break
            scored = [k for k in kids if k.visits > 0]
            if not scored:
                break
            best = max(scored, key=lambda k: (self._uct(k, visits), -int(k.id[1:])))
            node_id, visits = best.id, best.visits
        # None at the root, which choose_operator meets with a clean slate.
        parent = tree.get(node_id)
        operator = memory.choose_operator(tree, parent, stagnant, rng.random())
        if parent is None or operator == memory.CLEAN_SLATE:
            return Expansion(parent=None, memory=operator)
        return Expansion(parent=parent.id, memory=operator)

    def observe(self, tree: Tree, node: Node) -> None:
        tree.backpropagate(node)


class Evolve:
    """Island-model evolution over verified nodes.

    Tournament selection within an island, mutation through the proposers,
    crossover of two parents' decisions when both carry a configuration, and
    periodic migration of each island's best into the next one (Whitley et
    al.'s island model: diversity without giving up selection pressure).
    """

    name = "evolve"

    def __init__(
        self,
        islands: int = 2,
        tournament: int = 3,
        crossover_rate: float = 0.3,
        migrate_every: int = 6,
    ):
        self.islands = islands
        self.tournament = tournament
        self.crossover_rate = crossover_rate
        self.migrate_every = migrate_every
        self.turn = 0
        self.migrants: dict[int, set[str]] = {i: set() for i in range(islands)}
        self.observed = 0

    def _members(self, tree: Tree, island: int) -> list[Node]:
        return [
            n
            for n in tree.evaluated()
            if n.ok and (n.island == island or n.id in self.migrants[island])
        ]

    def _select(self, members: list[Node], rng: random.Random) -> Node:
        entrants = rng.sample(members, min(self.tournament, len(members)))
        return max(entrants, key=lambda n: (n.reward(), -int(n.id[1:])))

    def next(self, tree: Tree, rng: random.Random, stagnant: bool) -> Expansion:
        island = self.turn % self.islands
        self.turn += 1
        members = self._members(tree, island)
        draw = rng.random()
        if not members or (stagnant and draw < 0.25):
            return Expansion(parent=None, memory=memory.CLEAN_SLATE, island=island)
        first = self._select(members, rng)
        others = [m for m in members if m.id != first.id and m.config is not None]
        if first.config is not None and others and rng.random() < self.crossover_rate:
            second = self._select(others, rng)
            return Expansion(
                parent=first.id,
                memory=memory.PARENT_AND_SIBLINGS,
                crossover_with=second.id,
                island=island,
            )
        return Expansion(parent=first.id, memory=memory.PARENT, island=island)

    def observe(self, tree: Tree, node: Node) -> None:
        tree.backpropagate(node)
        self.observed += 1
        if self.observed % self.migrate_every == 0:
            for island in range(self.islands):
                members = self._members(tree, island)
                if members:
                    best = max(members, key=lambda n: n.reward())
                    self.migrants[(island + 1) % self.islands].add(best.id)


Strategy = MCTS | Evolve


def make_strategy(name: str) -> Strategy:
    if name == "mcts":
        return MCTS()
    if name == "evolve":
        return Evolve()
    raise ValueError(f"unknown strategy {name!r}: use mcts or evolve")
