"""The embedded, deterministic proposer: templates + configs, no network, no model.

Root: from this regime, the closest skill's winner and the default config
first, then the other skills' winners and their runners-up (each fitted to
this plan's space where its shape needs other values); from another regime,
the default and its first neighbour first, then the skills. Then, where the
default keeps cuBLAS, the Triton tile alternative, then deterministic
neighbours of whichever root config measured best so far.
Child: mutations of the parent's config, seeded by ctx.seed, each with a
`move` naming what changed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ..generator import (
    Plan,
    Program,
    config_changes,
    config_distance,
    config_space,
    crossover,
    default_config,
    fit_config,
    gemm_split,
    mutate,
    partition_choices,
    plan_or_reason,
    program_default,
    program_for,
    program_mutate,
    program_space,
    render,
    render_program,
    triton_matmul_default,
    tunables,
)
from ..generator.expr import Unsupported
from .base import NodeSummary, Proposal, ProposalContext, ProposerError

__all__ = ["EmbeddedProposer", "crossover", "mutate"]


class EmbeddedProposer:
    name = "embedded"

    async def propose(self, ctx: ProposalContext) -> list[Proposal]:
        return self.propose_sync(ctx)

    def propose_sync(self, ctx: ProposalContext) -> list[Proposal]:
        launch = tunables.find_launch(ctx.problem_source)
        if launch is None:
            return self._propose_generated(ctx)
        # A user's Triton kernel. Its graph cannot be captured without running it, but its
        # own launch tunables are a search (generator/tunables.py); and where the problem
        # says what it computes in PyTorch (`ModelTorch`, server/torch_twin.py), the
        # search captured that, and kernels of the generator's own are planned from it.
        # The root gets both; each child follows its parent's kind.
        parent = ctx.parent.config if ctx.parent is not None else None
        if isinstance(parent, dict) and "tunables" in parent:
            return self._propose_tunables(ctx, launch)
        if ctx.parent is not None:
            return self._propose_generated(ctx)
        try:
            generated = self._propose_generated(ctx)
        except ProposerError:
            return self._propose_tunables(ctx, launch)
        try:
            own = self._propose_tunables(ctx, launch)
        except ProposerError:
            return generated
        # Alternating, the kind with fewer configs tried so far first: a search asks its
        # root for one or two proposals at a time, and half for each kind left the
        # generated kernels out of every search (the user's kernel came first each time).
        tried_own = sum(1 for c in ctx.tried if isinstance(c, dict) and "tunables" in c)
        first, second = (generated, own) if 2 * tried_own > len(ctx.tried) else (own, generated)
        mixed = [p for pair in zip(first, second) for p in pair]
        mixed += first[len(second) :] + second[len(first) :]
        return mixed[: ctx.count]

    def _propose_generated(self, ctx: ProposalContext) -> list[Proposal]:
        """Kernels planned from the captured graph: a template family's configs, or a
        program of several kernels."""
        if not ctx.graph:
            raise ProposerError(
                "no captured graph for this problem (capture job missing or failed)"
            )
        plan, _ = plan_or_reason(ctx.graph)
        parent_config = ctx.parent.config if ctx.parent is not None else None
        if plan is None or _is_program_config(parent_config):
            return self._propose_program(ctx, ctx.graph)
        space = config_space(plan, ctx.device)
        rng = random.Random(ctx.seed)
        chosen: list[tuple[dict, str]] = []

        def add(config: dict, move: str) -> None:
            if config in space and config not in ctx.tried and all(config != c for c, _ in chosen):
                chosen.append((config, move))

        split: Program | None = None  # the GEMMs-by-the-library partition, at the root
        if parent_config and parent_config in space:
            current = dict(parent_config)
            for _ in range(ctx.count * 8):
                if len(chosen) >= ctx.count:
                    break
                child, move = mutate(plan, current, rng, ctx.device)
                add(child, move)
        else:
            skills = [s for s in ctx.skills if isinstance(s, dict)]

            def add_skill_config(config, label: str) -> None:
                fitted = fit_config(plan, config, ctx.device) if isinstance(config, dict) else None
                if fitted is None:
                    return
                changes = config_changes(config, fitted)
                add(
                    fitted,
                    f"{label}: {_describe(fitted)}"
                    + (f" (fitted to this shape: {changes})" if changes else ""),
                )

            # A skill is a hint, not a replacement: it is measured beside the family's
            # default at the root, and the search keeps whichever measures better
            # (agent/warm_start.py marks a skill that loses). From this regime (every
            # device threshold on the same side, rows of about the same length) the
            # closest skill goes first. From another it waits until the default and
            # its first neighbour, the two a cold search starts with, have their place:
            # a skill that does not carry over then costs the warm search no ground
            # (issue 22: an RMSNorm skill learnt on 1024-wide rows, put first on
            # 16384-wide ones, left the warm search 5.6% behind the cold one).
            default = default_config(plan, ctx.device)
            default_move = (
                f"{plan.family} template ({plan.op}), default config: {_describe(default)}"
            )
            leading = skills if skills and _same_regime(skills[0]) else []

            def add_skills() -> None:
                for skill in skills:
                    add_skill_config(skill.get("config"), _skill_label(skill))
                for skill in skills:
                    for rank, entry in enumerate(skill.get("runners_up") or (), start=2):
                        add_skill_config(
                            entry.get("config") if isinstance(entry, dict) else None,
                            f"skill {skill.get('id', '?')} #{rank}",
                        )

            if leading:
                add_skill_config(leading[0].get("config"), _skill_label(leading[0]))
                add(default, default_move)
                add_skills()
            add(default, default_move)
            precision = default.get("PRECISION", "ieee")
            if precision == "tf32":
                # The reference computes in TF32 itself (a cuDNN convolution); should
                # plain TF32 miss its error bound here, 3xTF32 is the next-best bet.
                add({**default, "PRECISION": "tf32x3"}, "the default's tiles with 3xTF32 dots")
            split = gemm_split(ctx.graph)
            if split is not None:
                # One template covers several core ops (attention written as matmuls):
                # the vendor's GEMMs around Triton for the rest are measured beside it,
                # before the IEEE twin below. IEEE fp32 tiles run on the CUDA cores
                # (0.40x eager on explicit attention, where 3xTF32 missed the
                # large-magnitude trial); the split was 1.11x but, third, a 60 s search
                # never reached it (benchmarks/results/h200-2026-12-03-explicit-attention-split,
                # h200-2026-12-03-bench-every-dim-reductions-attention-programs).
                config = program_default(split, ctx.device)
                if config not in ctx.tried:
                    kinds = " and ".join(
                        s.library.kind
                        for s in split.stages
                        if s.value in split.library and s.library
                    )
                    chosen.append(
                        (config, f"PyTorch's own {kinds}, the rest in Triton: {split.op}")
                    )
            if precision not in ("ieee", "tf32"):
                # The default's plain-fp32 twin: should 3xTF32 miss the tolerance on
                # this device, the search still has a kernel of the template's own.
                add({**default, "PRECISION": "ieee"}, "the default's tiles with IEEE fp32 dots")
            if default.get("impl") == "torch":
                # Both implementations measured early: cuBLAS with the chain fused
                # after it, and Triton tiles with the chain fused into the store
                # (with 3xTF32, fp32 tiles can pass cuBLAS's fp32 SGEMM).
                tiles = triton_matmul_default(plan, ctx.device)
                add(tiles, f"Triton tiles with the epilogue fused: {_describe(tiles)}")
            # Neighbours of whichever measured better so far (the default until
            # something is timed).
            best = ctx.best_config
            current, origin = (
                (dict(best), "the best so far")
                if best and best in space and best != default
                else (default, "the default")
            )

            def add_neighbours(until: int) -> None:
                for _ in range(ctx.count * 8):
                    if len(chosen) >= min(until, ctx.count):
                        break
                    child, move = mutate(plan, current, rng, ctx.device)
                    add(child, f"from {origin}: {move}")

            if skills and not leading:
                add_neighbours(len(chosen) + 1)
                add_skills()
            add_neighbours(ctx.count)
        if len(chosen) < ctx.count:
            # Random moves keep landing on tried configs once the neighbourhood is
            # explored (an H100 layer-norm search stopped after 4 of its 12 configs):
            # take the untried configs nearest the current one instead.
            for config in sorted(space, key=lambda c: config_distance(c, current)):
                if len(chosen) >= ctx.count:
                    break
                changed = {k: v for k, v in config.items() if current.get(k) != v}
                add(config, f"nearest untried config: {_describe(changed)}")
        if not chosen:
            raise ProposerError(f"no new config in the {plan.family} space ({len(space)} configs)")
        return [
            proposal
            for config, move in chosen[: ctx.count]
            for proposal in (
                self._proposals(program_for([split], config), render_program, [(config, move)])
                if split is not None and _is_program_config(config)
                else self._proposals(plan, render, [(config, move)])
            )
        ]

    async def crossover(self, ctx: ProposalContext, other: NodeSummary) -> list[Proposal]:
        return self.crossover_sync(ctx, other)

    def crossover_sync(self, ctx: ProposalContext, other: NodeSummary) -> list[Proposal]:
        """A child taking each decision from one of two parents (Evolve's crossover,
        agent/strategies.py): per config key for one template, per stage for a
        program of several kernels. Parents without comparable configs (another
        partition, no config) get the parent's mutation instead."""
        first = ctx.parent.config if ctx.parent is not None else None
        second = other.config
        if not isinstance(first, dict) or not isinstance(second, dict) or first == second:
            return self.propose_sync(ctx)
        assert ctx.parent is not None  # first is its config
        rng = random.Random(ctx.seed)
        graph = ctx.graph or {}
        found, _ = plan_or_reason(graph)
        # A Plan rendered by render, or a Program (several kernels) by render_program.
        planned: Plan | Program
        write: Callable[[Any, dict], str]
        if found is not None:
            space = config_space(found, ctx.device)
            if first not in space or second not in space:
                return self.propose_sync(ctx)
            children = [crossover(found, first, second, rng, ctx.device) for _ in range(8)]
            write, planned = render, found
        else:
            try:
                choices = partition_choices(graph)
            except Unsupported as why:
                raise ProposerError(f"no candidate for this problem: {why}") from None
            if first.get("library") != second.get("library"):
                return self.propose_sync(ctx)
            planned, write = program_for(choices, first), render_program
            children = [
                {k: (first if rng.random() < 0.5 else second).get(k, first[k]) for k in first}
                for _ in range(8)
            ]
        for child in children:
            if child not in (first, second) and child not in ctx.tried:
                parents = {ctx.parent.id: first, other.id: second}
                move = f"crossover of {ctx.parent.id} and {other.id}: " + "; ".join(
                    f"{key} from {_origin(child[key], key, parents)}"
                    for key in sorted(child)
                    if first.get(key) != second.get(key)
                )
                return self._proposals(planned, write, [(child, move)])
        return self.propose_sync(ctx)

    def _propose_program(self, ctx: ProposalContext, graph: dict[str, Any]) -> list[Proposal]:
        """No one template covers the graph: split it into kernels (generator/partition.py)
        and search the partition (each core op as a template or as PyTorch's op) and
        each template stage's config, the others held at their default."""
        try:
            choices = partition_choices(graph)
            spaces = [program_space(program, ctx.device) for program in choices]
        except Unsupported as why:
            raise ProposerError(f"no candidate for this problem: {why}") from None
        default = spaces[0][0]  # the default partition, every stage at its default config
        rng = random.Random(ctx.seed)
        chosen: list[tuple[dict, str]] = []

        def add(config: dict, move: str) -> None:
            if config not in ctx.tried and all(config != c for c, _ in chosen):
                chosen.append((config, move))

        parent = ctx.parent.config if ctx.parent is not None else None
        known = [config for space in spaces for config in space]
        current = parent if parent in known else default
        if current is default:
            add(default, f"{len(choices[0].stages)} kernels ({choices[0].op}), default configs")
            for program, space in zip(choices[1:], spaces[1:]):
                # Where a template loses to the library call, this measures the call.
                kinds = [
                    s.library.kind
                    for s in program.stages
                    if s.value in program.library and s.library is not None
                ]
                add(space[0], f"PyTorch's own {' and '.join(kinds)}: {program.op}")
        program = program_for(choices, current)
        if program.template_stages():
            for _ in range(ctx.count * 8):
                if len(chosen) >= ctx.count:
                    break
                child, move = program_mutate(program, current, rng, ctx.device)
                add(child, move)
        for config in known:  # the untried ones, in order, once mutation stops finding any
            if len(chosen) >= ctx.count:
                break
            add(config, "next untried stage config")
        if not chosen:
            raise ProposerError(
                f"no new config for this problem's {len(choices[0].stages)} kernels"
            )
        return [
            proposal
            for config, move in chosen[: ctx.count]
            for proposal in self._proposals(
                program_for(choices, config), render_program, [(config, move)]
            )
        ]

    def _propose_tunables(self, ctx: ProposalContext, launch: tunables.Launch) -> list[Proposal]:
        """The user's kernel at other block sizes, num_warps and num_stages: one step from
        the parent's (or the kernel's own) values, each untried config once."""
        parent = (ctx.parent.config or {}).get("tunables") if ctx.parent is not None else None
        current = parent if isinstance(parent, dict) else launch.default
        chosen: list[tuple[dict, str]] = []
        for values, move in tunables.neighbours(launch, current):
            config = {"tunables": values}
            if config not in ctx.tried and all(config != c for c, _ in chosen):
                chosen.append((config, f"your `{launch.kernel}` with {move}"))
            if len(chosen) >= ctx.count:
                break
        if not chosen:
            raise ProposerError(f"no untried launch config for `{launch.kernel}`")
        return [
            Proposal(
                source=tunables.render(ctx.problem_source, launch, config["tunables"]),
                proposer=self.name,
                move=move,
                config=config,
                meta={"family": "user-triton", "op": launch.kernel},
            )
            for config, move in chosen
        ]

    def _proposals(self, planned, write, chosen: list[tuple[dict, str]]) -> list[Proposal]:
        """`planned` (a Plan or a Program) rendered by `write` at each chosen config."""
        meta = {"family": planned.family, "op": planned.op}
        return [
            Proposal(
                source=write(planned, config),
                proposer=self.name,
                move=move,
                config=config,
                meta=dict(meta),
            )
            for config, move in chosen
        ]


def _origin(value, key: str, parents: dict[str, dict]) -> str:
    """Which parent a child's value of `key` came from ("neither": snapped into the space)."""
    return next((name for name, config in parents.items() if config.get(key) == value), "neither")


def _same_regime(skill: dict) -> bool:
    """True for a skill from this problem's regime, and for one whose regime is
    unknown (written before skills recorded theirs: ranked by shape alone)."""
    match = skill.get("match")
    return not isinstance(match, dict) or bool(match.get("same_regime"))


def _skill_label(skill: dict) -> str:
    """The node's note: which skill, and why it was picked."""
    label = f"skill {skill.get('id', '?')}"
    match = skill.get("match")
    if isinstance(match, dict) and match.get("why"):
        label += f" [{match['why']}]"
    return label


def _describe(config: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(config.items()))


def _is_program_config(config: Any) -> bool:
    """A config of a partition into several kernels (one "s<k>" entry per template
    stage, generator/partition.py), not of one template."""
    return isinstance(config, dict) and any(
        isinstance(k, str) and k[:1] == "s" and k[1:].isdigit() for k in config
    )
