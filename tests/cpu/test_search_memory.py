"""Memory operators build the contexts they claim; strategies pick as documented."""

from __future__ import annotations

import random

from kernelwright.agent import memory
from kernelwright.agent.strategies import MCTS, Evolve
from kernelwright.agent.tree import ROOT, Node, Tree


def _node(
    tree: Tree,
    parent: str | None,
    outcome: str,
    speedup: float | None = None,
    config: dict | None = None,
) -> Node:
    node = Node(
        id=tree.new_id(),
        parent=parent,
        depth=0,
        proposer="embedded",
        move=f"move {len(tree) + 1}",
        memory="parent",
        source=f"src{len(tree)}",
        config=config or {"BLOCK": len(tree)},
    )
    node.result = {
        "outcome": outcome,
        "message": f"{outcome} message",
        "speedup": {"vs_eager": speedup} if speedup else None,
    }
    tree.add(node)
    tree.backpropagate(node)
    return node


def _small_tree() -> tuple[Tree, dict[str, Node]]:
    tree = Tree()
    a = _node(tree, None, "ok", 1.5)
    b = _node(tree, a.id, "ok", 2.0)
    c = _node(tree, b.id, "ok", 2.5)
    s1 = _node(tree, c.id, "ok", 3.0)
    s2 = _node(tree, c.id, "compile_error")
    s3 = _node(tree, c.id, "ok", 1.1)
    return tree, {"a": a, "b": b, "c": c, "s1": s1, "s2": s2, "s3": s3}


def test_parent_operator_is_the_trajectory_nearest_first():
    tree, n = _small_tree()
    ctx = memory.build_context(tree, n["c"], memory.PARENT)
    assert [x.id for x in ctx] == [n["c"].id, n["b"].id, n["a"].id]


def test_siblings_operator_contrasts_best_and_worst_children():
    tree, n = _small_tree()
    ctx = memory.build_context(tree, n["c"], memory.SIBLINGS)
    assert [x.id for x in ctx] == [n["s1"].id, n["s2"].id]  # 3.0× and the compile error


def test_parent_and_siblings_is_both_without_repeats():
    tree, n = _small_tree()
    ids = [x.id for x in memory.build_context(tree, n["c"], memory.PARENT_AND_SIBLINGS)]
    assert ids == [n["c"].id, n["b"].id, n["a"].id, n["s1"].id, n["s2"].id]


def test_clean_slate_carries_no_history():
    tree, n = _small_tree()
    assert memory.build_context(tree, n["c"], memory.CLEAN_SLATE) == []


def test_stagnation_makes_clean_slate_likely_and_history_otherwise():
    tree, n = _small_tree()
    assert memory.choose_operator(tree, n["c"], stagnant=True, draw=0.1) == memory.CLEAN_SLATE
    assert (
        memory.choose_operator(tree, n["c"], stagnant=False, draw=0.1) == memory.PARENT_AND_SIBLINGS
    )
    assert memory.choose_operator(tree, n["a"], stagnant=False, draw=0.9) == memory.PARENT
    assert memory.choose_operator(tree, None, stagnant=False, draw=0.9) == memory.CLEAN_SLATE


def test_mcts_descends_towards_the_best_branch():
    tree, n = _small_tree()
    for _ in range(6):  # widen the root so selection must descend
        _node(tree, None, "wrong")
    expansion = MCTS().next(tree, random.Random(0), stagnant=False)
    chain = {n["a"].id, n["b"].id, n["c"].id, n["s1"].id}
    assert expansion.parent in chain


def test_failures_rank_below_any_verified_candidate():
    tree, n = _small_tree()
    assert n["s2"].reward() < n["s3"].reward() < n["s1"].reward()
    assert tree.best().id == n["s1"].id


def test_evolve_crossover_pairs_two_configured_parents_of_one_island():
    tree, _ = _small_tree()
    strategy = Evolve(islands=1, crossover_rate=1.0)
    expansion = strategy.next(tree, random.Random(3), stagnant=False)
    assert expansion.crossover_with is not None and expansion.parent != expansion.crossover_with
    assert tree.get(expansion.parent).ok and tree.get(expansion.crossover_with).ok


def test_evolve_seeds_an_empty_island_from_scratch():
    tree = Tree()
    expansion = Evolve(islands=2).next(tree, random.Random(0), stagnant=False)
    assert expansion.parent is None and expansion.memory == memory.CLEAN_SLATE
    assert ROOT in tree.children
