"""Memory operators: which earlier nodes a new node's context is built from.

KernelEvolve's four: *parent* inherits the parent's trajectory (its
ancestors, best first); *siblings* contrasts the best and worst children of
the same parent so the proposer sees what differed; *parent+siblings* does
both; *clean slate* drops all history to escape a local optimum.
"""

from __future__ import annotations

from kernelwright.agent.tree import ROOT, Node, Tree

PARENT = "parent"
SIBLINGS = "siblings"
PARENT_AND_SIBLINGS = "parent+siblings"
CLEAN_SLATE = "clean_slate"
OPERATORS = (PARENT, SIBLINGS, PARENT_AND_SIBLINGS, CLEAN_SLATE)

TRAJECTORY_DEPTH = 4  # ancestors shown: enough to see a trend, short enough for a prompt


def _trajectory(tree: Tree, parent: Node) -> list[Node]:
    return [parent] + tree.ancestors(parent)[: TRAJECTORY_DEPTH - 1]


def _best_and_worst(nodes: list[Node]) -> list[Node]:
    done = [n for n in nodes if n.result is not None]
    if not done:
        return []
    ranked = sorted(done, key=lambda n: n.reward(), reverse=True)
    return [ranked[0]] if len(ranked) == 1 else [ranked[0], ranked[-1]]


def build_context(tree: Tree, parent: Node | None, operator: str) -> list[Node]:
    """The nodes the operator hands to the proposer for a child of `parent`."""
    if operator == CLEAN_SLATE or parent is None:
        return []
    if operator == PARENT:
        return _trajectory(tree, parent)
    siblings = _best_and_worst(tree.kids(parent.id))
    if operator == SIBLINGS:
        return siblings
    if operator == PARENT_AND_SIBLINGS:
        trajectory = _trajectory(tree, parent)
        return trajectory + [s for s in siblings if s not in trajectory]
    raise ValueError(f"unknown memory operator {operator!r}")


def choose_operator(tree: Tree, parent: Node | None, stagnant: bool, draw: float) -> str:
    """Heuristic from KernelEvolve's description: history while it helps, a clean slate when stuck.

    `draw` is a uniform [0, 1) number from the search's seeded RNG, so the
    choice is reproducible.
    """
    if parent is None:
        return CLEAN_SLATE
    has_siblings = len([n for n in tree.kids(parent.id) if n.result is not None]) >= 2
    if stagnant and draw < 0.5:
        return CLEAN_SLATE
    if has_siblings:
        return PARENT_AND_SIBLINGS if draw < 0.6 else SIBLINGS
    return PARENT


def root_children(tree: Tree) -> list[Node]:
    return tree.kids(ROOT)
